// Listeners and connections.  One thread per connection: Postfix keeps one
// persistent connection per client process and sends one request at a time,
// so connections are many, mostly idle, and each needs only sequential
// service; lookups share the Service (one cache, one LDAP pool).
#include "server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <stdexcept>
#include <thread>

#include "protocol.hpp"

namespace vmaildir::postfix {

namespace {

std::string errno_text() { return std::strerror(errno); }

/// "unix:/path" or "inet:HOST:PORT" → the socket part of a spec.
bool parse_endpoint(std::string_view rest, ListenSpec& spec, std::string& problem) {
    if (rest.rfind("unix:", 0) == 0) {
        spec.unix_socket = true;
        spec.path = std::string(rest.substr(5));
        if (spec.path.empty() || spec.path.front() != '/') {
            problem = "a unix socket needs an absolute path";
            return false;
        }
        if (spec.path.size() >= sizeof(sockaddr_un::sun_path)) {
            problem = "unix socket path too long";
            return false;
        }
        return true;
    }
    if (rest.rfind("inet:", 0) == 0) {
        spec.unix_socket = false;
        std::string_view hp = rest.substr(5);
        std::size_t colon = hp.rfind(':');
        if (colon == std::string_view::npos) {
            problem = "inet needs HOST:PORT";
            return false;
        }
        std::string_view host = hp.substr(0, colon), port = hp.substr(colon + 1);
        if (host.size() > 2 && host.front() == '[' && host.back() == ']')
            host = host.substr(1, host.size() - 2);
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), spec.port);
        if (ec != std::errc() || end != port.data() + port.size() || spec.port < 1 ||
            spec.port > 65535) {
            problem = "bad port '" + std::string(port) + "'" +
                      (parse_map_name(port) ? " (a socketmap listener serves every map: "
                                              "leave the map name to Postfix's side)"
                                            : "");
            return false;
        }
        spec.host = std::string(host);
        in6_addr a6{};
        in_addr a4{};
        if (inet_pton(AF_INET, spec.host.c_str(), &a4) != 1 &&
            inet_pton(AF_INET6, spec.host.c_str(), &a6) != 1) {
            problem = "the host must be a numeric address such as 127.0.0.1 or [::1]";
            return false;
        }
        return true;
    }
    problem = "expected unix:PATH or inet:HOST:PORT";
    return false;
}

int open_unix(const ListenSpec& spec, const ServerOptions& options) {
    struct stat st{};
    if (lstat(spec.path.c_str(), &st) == 0) {
        if (!S_ISSOCK(st.st_mode))
            throw std::runtime_error(spec.text + ": " + spec.path + " exists and is no socket");
        unlink(spec.path.c_str()); // a stale socket of an earlier run
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(spec.text + ": socket: " + errno_text());
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, spec.path.c_str(), spec.path.size() + 1);
    // Created with no access, then opened up to exactly the configured mode and group.
    mode_t old = umask(0777);
    int rc = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    umask(old);
    if (rc != 0) {
        std::string e = errno_text();
        close(fd);
        throw std::runtime_error(spec.text + ": bind: " + e);
    }
    if ((options.socket_group && chown(spec.path.c_str(), static_cast<uid_t>(-1),
                                       *options.socket_group) != 0) ||
        chmod(spec.path.c_str(), options.socket_mode) != 0) {
        std::string e = errno_text();
        close(fd);
        throw std::runtime_error(spec.text + ": setting owner/mode of " + spec.path + ": " + e);
    }
    return fd;
}

int open_inet(const ListenSpec& spec) {
    addrinfo hints{};
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* res = nullptr;
    std::string port = std::to_string(spec.port);
    if (int rc = getaddrinfo(spec.host.c_str(), port.c_str(), &hints, &res); rc != 0)
        throw std::runtime_error(spec.text + ": " + gai_strerror(rc));
    std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> owned(res, freeaddrinfo);
    int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error(spec.text + ": socket: " + errno_text());
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, res->ai_addr, res->ai_addrlen) != 0) {
        std::string e = errno_text();
        close(fd);
        throw std::runtime_error(spec.text + ": bind: " + e);
    }
    return fd;
}

} // namespace

std::variant<ListenSpec, std::string> parse_listen_spec(std::string_view text) {
    ListenSpec spec;
    spec.text = std::string(text);
    std::string problem;
    if (text.rfind("socketmap:", 0) == 0) {
        spec.protocol = Protocol::socketmap;
        if (!parse_endpoint(text.substr(10), spec, problem))
            return "'" + spec.text + "': " + problem;
        return spec;
    }
    if (text.rfind("tcp:", 0) == 0) {
        spec.protocol = Protocol::tcp_table;
        std::string_view rest = text.substr(4);
        std::size_t colon = rest.rfind(':');
        if (colon == std::string_view::npos)
            return "'" + spec.text + "': tcp listeners end in :MAP (tcp_table has no map name)";
        spec.map = parse_map_name(rest.substr(colon + 1));
        if (!spec.map) {
            // Also what a forgotten :MAP looks like ("unknown map '2527'"), so say the syntax.
            std::string maps;
            for (const std::string& m : map_names())
                maps += (maps.empty() ? "" : ", ") + m;
            return "'" + spec.text + "': unknown map '" + std::string(rest.substr(colon + 1)) +
                   "'; a tcp listener ends in :MAP, MAP being one of " + maps;
        }
        if (rest.rfind("unix:", 0) == 0)
            // dict_tcp.c connects to host:port only: no Postfix client could reach it.
            return "'" + spec.text + "': tcp_table is TCP only (Postfix's tcp: tables connect to "
                                     "host:port); use tcp:inet:HOST:PORT:MAP, or "
                                     "socketmap:unix:PATH for a unix socket";
        if (!parse_endpoint(rest.substr(0, colon), spec, problem))
            return "'" + spec.text + "': " + problem;
        return spec;
    }
    return "'" + spec.text + "': expected socketmap:unix:PATH, socketmap:inet:HOST:PORT or "
                             "tcp:inet:HOST:PORT:MAP";
}

Server::Server(ServerOptions options, ServiceHolder& service, Logger& log)
    : options_(std::move(options)), service_(service), log_(log) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC);
    if (wake_fd_ < 0)
        throw std::runtime_error("eventfd: " + errno_text());
}

Server::~Server() {
    for (const Listener& l : listeners_) {
        close(l.fd);
        if (l.spec.unix_socket)
            unlink(l.spec.path.c_str());
    }
    close(wake_fd_);
}

void Server::bind() {
    for (const ListenSpec& spec : options_.listeners) {
        int fd = spec.unix_socket ? open_unix(spec, options_) : open_inet(spec);
        if (listen(fd, 128) != 0) {
            std::string e = errno_text();
            close(fd);
            throw std::runtime_error(spec.text + ": listen: " + e);
        }
        listeners_.push_back({spec, fd});
    }
}

std::size_t Server::connections() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

void Server::stop() {
    stopping_ = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    std::lock_guard lock(mutex_);
    for (int fd : open_)
        shutdown(fd, SHUT_RDWR); // wakes the connection's blocked read
}

void Server::run() {
    std::vector<pollfd> fds;
    for (const Listener& l : listeners_)
        fds.push_back({l.fd, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    while (!stopping_) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            log_.error(std::string("poll: ") + errno_text());
            break;
        }
        for (std::size_t i = 0; i < listeners_.size() && !stopping_; ++i) {
            if (!(fds[i].revents & POLLIN))
                continue;
            int fd = accept4(listeners_[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                    log_.warning(listeners_[i].spec.text + ": accept: " + errno_text());
                continue;
            }
            std::lock_guard lock(mutex_);
            if (open_.size() >= options_.max_connections) {
                log_.warning(listeners_[i].spec.text + ": more than " +
                             std::to_string(options_.max_connections) +
                             " connections, refusing one (see --max-connections)");
                close(fd);
                continue;
            }
            open_.insert(fd);
            const ListenSpec& spec = listeners_[i].spec;
            std::thread([this, fd, &spec] { serve(fd, spec); }).detach();
        }
    }
    stop();
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return open_.empty(); });
}

void Server::serve(int fd, const ListenSpec& spec) {
    timeval idle{};
    idle.tv_sec = static_cast<time_t>(options_.idle_timeout.count());
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof idle);
    try {
        if (spec.protocol == Protocol::socketmap)
            serve_socketmap(fd, spec);
        else
            serve_tcp(fd, spec);
    } catch (const std::exception& e) {
        log_.error(spec.text + ": connection ended by an internal error: " + e.what());
    }
    std::lock_guard lock(mutex_);
    open_.erase(fd);
    close(fd);
    if (open_.empty())
        idle_.notify_all();
}

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

Result<std::vector<std::string>> Server::answer(Service& service, const ListenSpec& spec,
                                                MapName map, std::string_view key) {
    auto r = service.lookup(map, key);
    if (r.is_temp_fail())
        log_.warning(spec.text + " " + to_string(map) + " " + vmaildir::printable(key) +
                     ": temporary failure: " + r.reason());
    else if (log_.enabled(LogLevel::debug))
        log_.debug(spec.text + " " + to_string(map) + " " + vmaildir::printable(key) + ": " +
                   vmaildir::to_string(r.outcome()));
    return r;
}

void Server::serve_socketmap(int fd, const ListenSpec& spec) {
    ServiceHolder::Snapshot service(service_);
    NetstringReader reader;
    char buf[8192];
    std::string payload;
    while (!stopping_) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return; // closed, idle timeout, or stop()
        reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        while (true) {
            auto status = reader.next(payload);
            if (status == NetstringReader::Status::need_more)
                break;
            if (status == NetstringReader::Status::malformed) {
                log_.warning(spec.text + ": malformed netstring from the client; closing");
                send_all(fd, netstring(socketmap_temp("malformed request")));
                return;
            }
            auto request = parse_socketmap_request(payload);
            std::string reply;
            if (!request) {
                log_.warning(spec.text + ": request without a map name; answering TEMP");
                reply = socketmap_temp("malformed request: expected 'name key'");
            } else if (auto map = parse_map_name(request->map); !map) {
                // A configuration mistake on the Postfix side: defer, never PERM.
                log_.warning(spec.text + ": unknown map '" + vmaildir::printable(request->map) +
                             "'; answering TEMP");
                reply = socketmap_temp("unknown map '" + std::string(request->map) + "'");
            } else {
                reply = socketmap_reply(answer(service.get(), spec, *map, request->key));
            }
            if (!send_all(fd, netstring(reply)))
                return;
        }
    }
}

void Server::serve_tcp(int fd, const ListenSpec& spec) {
    ServiceHolder::Snapshot service(service_);
    std::string buffer;
    char buf[8192];
    while (!stopping_) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return;
        buffer.append(buf, static_cast<std::size_t>(n));
        std::size_t nl;
        while ((nl = buffer.find('\n')) != std::string::npos) {
            std::string line = buffer.substr(0, nl);
            buffer.erase(0, nl + 1);
            auto key = parse_tcp_request(line);
            if (!key) {
                log_.warning(spec.text + ": malformed request line; closing");
                send_all(fd, tcp_temp("malformed request: expected 'get KEY'"));
                return;
            }
            if (!send_all(fd, tcp_reply(answer(service.get(), spec, *spec.map, *key))))
                return;
        }
        if (buffer.size() > max_request) {
            log_.warning(spec.text + ": request line too long; closing");
            send_all(fd, tcp_temp("request too long"));
            return;
        }
    }
}

} // namespace vmaildir::postfix
