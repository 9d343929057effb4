// null_socketmap -- a Postfix socketmap server that answers "OK x" to every
// request at once, without looking anything up: the ceiling against which
// vmaildir-postfix's cached lookups are measured (bench/run-postfix-bench).
//
//   null_socketmap SOCKET_PATH
//
// Same shape as vmaildir-postfix's server (postfix-tcp-table/server.cpp): one
// thread per connection, the same NetstringReader, a blocking recv/send loop;
// so the difference between the two is the lookup itself (parsing the key,
// the cache, the resolver), not the transport.  Protocol: socketmap_table(5),
// see postfix-tcp-table/protocol.hpp.  Runs until SIGTERM/SIGINT; the socket
// is mode 0666 (a benchmark helper, not a service).
#include "protocol.hpp"
#include "server.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <signal.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>

namespace {

using vmaildir::postfix::netstring;
using vmaildir::postfix::NetstringReader;
using vmaildir::postfix::send_all;

void serve(int fd) {
    NetstringReader reader;
    const std::string reply = netstring("OK x");
    std::string payload;
    char buf[8192];
    while (true) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
        NetstringReader::Status status;
        std::string out;
        while ((status = reader.next(payload)) == NetstringReader::Status::complete)
            out += reply;
        if (!out.empty() && !send_all(fd, out))
            break;
        if (status == NetstringReader::Status::malformed)
            break;
    }
    close(fd);
}

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: null_socketmap SOCKET_PATH\n");
        return 64;
    }
    const std::string path = argv[1];
    sockaddr_un addr{};
    if (path.size() >= sizeof addr.sun_path) {
        std::fprintf(stderr, "null_socketmap: socket path too long\n");
        return 64;
    }
    signal(SIGPIPE, SIG_IGN);
    int listener = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) {
        std::perror("null_socketmap: socket");
        return 71;
    }
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
    unlink(path.c_str());
    if (bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
        chmod(path.c_str(), 0666) != 0 || listen(listener, 128) != 0) {
        std::fprintf(stderr, "null_socketmap: %s: %s\n", path.c_str(), std::strerror(errno));
        return 71;
    }
    while (true) {
        int fd = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            std::perror("null_socketmap: accept");
            return 71;
        }
        std::thread(serve, fd).detach();
    }
}
