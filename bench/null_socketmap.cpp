// null_socketmap -- a Postfix socketmap server that answers "OK x" to every
// request at once, without looking anything up: the ceiling against which
// vmaildir-postfix's cached lookups are measured (bench/run-postfix-bench).
//
//   null_socketmap SOCKET_PATH
//
// It runs on vmaildir-postfix's own transport, the daemon skeleton's Server
// (one thread per connection) with the same NetstringReader, so the difference
// between the two is the lookup itself (parsing the key, the cache, the
// resolver), not the transport.  Protocol: socketmap_table(5), see
// postfix-tcp-table/protocol.hpp.  Runs until SIGTERM/SIGINT; the socket is
// mode 0666 (a benchmark helper, not a service).
#include "protocol.hpp"
#include "vmaildir/daemon/server.hpp"
#include "vmaildir/daemon/signals.hpp"

#include <cstdio>
#include <string>

using namespace vmaildir;
using vmaildir::postfix::netstring;
using vmaildir::postfix::NetstringReader;

namespace {

void serve(daemon::Connection& c) {
    NetstringReader reader;
    const std::string reply = netstring("OK x");
    std::string payload;
    char buf[8192];
    while (std::size_t n = c.receive(buf, sizeof buf)) {
        reader.feed(std::string_view(buf, n));
        NetstringReader::Status status;
        std::string out;
        while ((status = reader.next(payload)) == NetstringReader::Status::complete)
            out += reply;
        if (!out.empty() && !c.send(out))
            break;
        if (status == NetstringReader::Status::malformed)
            break;
    }
}

} // namespace

int main(int argc, char** argv) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: null_socketmap SOCKET_PATH\n");
        return 64;
    }
    daemon::block_daemon_signals();
    auto log = make_stderr_logger("null_socketmap");
    daemon::ServiceHolder services(Service::broken("null socketmap: no directory", *log));
    daemon::Endpoint endpoint{true, argv[1], "", 0, std::string("unix:") + argv[1]};
    daemon::Server server({endpoint}, {0666, std::nullopt}, {}, services, serve, *log);
    server.bind();
    daemon::SignalWatcher signals([] {}, [&](int) { server.stop(); });
    server.run();
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "null_socketmap: %s\n", e.what());
    return 71;
}
