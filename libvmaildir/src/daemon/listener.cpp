// Listening sockets (listener.hpp).
#include "vmaildir/daemon/listener.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <stdexcept>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

namespace vmaildir::daemon {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

int open_unix(const Endpoint& e, const SocketOptions& options) {
    struct stat st {};
    if (lstat(e.path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw std::runtime_error(e.text + ": " + e.path + " exists and is no socket");
        unlink(e.path.c_str()); // a stale socket of an earlier run
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(e.text + ": socket: " + errno_text());
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, e.path.c_str(), e.path.size() + 1);
    // Created with exactly the configured mode (the umask takes the rest away), so that no
    // chmod by path follows: as root in a directory another user may write (Postfix's
    // private/), a path swapped for a symlink would hand that file's mode to the attacker.
    mode_t old = umask(static_cast<mode_t>(~options.mode & 0777));
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (rc != 0) {
        std::string why = errno_text();
        close(fd);
        throw std::runtime_error(e.text + ": bind: " + why);
    }
    // The group by path too, but never through a symlink (lchown).
    if (options.group && lchown(e.path.c_str(), static_cast<uid_t>(-1), *options.group) != 0) {
        std::string why = errno_text();
        close(fd);
        throw std::runtime_error(e.text + ": setting the group of " + e.path + ": " + why);
    }
    return fd;
}

int open_inet(const Endpoint& e) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(e.port);
    if (int rc = getaddrinfo(e.host.c_str(), port.c_str(), &hints, &res); rc != 0)
        throw std::runtime_error(e.text + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, freeaddrinfo);
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(e.text + ": socket: " + errno_text());
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        std::string why = errno_text();
        close(fd);
        throw std::runtime_error(e.text + ": bind: " + why);
    }
    return fd;
}

} // namespace

std::variant<Endpoint, std::string> parse_endpoint(std::string_view rest) {
    Endpoint e;
    e.text = std::string(rest);
    if (rest.rfind("unix:", 0) == 0) {
        e.unix_socket = true;
        e.path = std::string(rest.substr(5));
        if (e.path.empty() || e.path.front() != '/')
            return std::string("a unix socket needs an absolute path");
        if (e.path.size() >= sizeof(sockaddr_un::sun_path))
            return std::string("unix socket path too long");
        return e;
    }
    if (rest.rfind("inet:", 0) == 0) {
        e.unix_socket = false;
        std::string_view hp = rest.substr(5);
        std::size_t colon = hp.rfind(':');
        if (colon == std::string_view::npos)
            return std::string("inet needs HOST:PORT");
        std::string_view host = hp.substr(0, colon), port = hp.substr(colon + 1);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
        if (ec != std::errc() || end != port.data() + port.size() || e.port < 1 || e.port > 65535)
            return "bad port '" + std::string(port) + "'";
        e.host = std::string(host);
        in6_addr a6{};
        in_addr a4{};
        if (inet_pton(AF_INET, e.host.c_str(), &a4) != 1 &&
            inet_pton(AF_INET6, e.host.c_str(), &a6) != 1)
            return std::string("the host must be a numeric address such as 127.0.0.1 or [::1]");
        return e;
    }
    return std::string("expected unix:PATH or inet:HOST:PORT");
}

int open_listener(const Endpoint& endpoint, const SocketOptions& options) {
    int fd = endpoint.unix_socket ? open_unix(endpoint, options) : open_inet(endpoint);
    if (listen(fd, 128) != 0) {
        std::string why = errno_text();
        close(fd);
        throw std::runtime_error(endpoint.text + ": listen: " + why);
    }
    return fd;
}

} // namespace vmaildir::daemon
