// The main of the benchmarks' null servers (null_socketmap, null_readsocket):
// one unix socket, mode 0666, served by the daemon skeleton's Server with the
// given handler and no directory behind it, until SIGTERM/SIGINT.
#pragma once

#include "vmaildir/daemon/server.hpp"
#include "vmaildir/daemon/signals.hpp"
#include "vmaildir/service/service.hpp"

#include <cstdio>
#include <string>

namespace vmaildir::bench {

inline int run_null_server(const char* name, int argc, char** argv,
                           daemon::ConnectionHandler handler) try {
    if (argc != 2) {
        std::fprintf(stderr, "usage: %s SOCKET_PATH\n", name);
        return 64;
    }
    daemon::block_daemon_signals();
    auto log = make_stderr_logger(name);
    daemon::ServiceHolder services(Service::broken(std::string(name) + ": no directory", *log));
    daemon::Endpoint endpoint{true, argv[1], "", 0, std::string("unix:") + argv[1]};
    daemon::Server server({endpoint}, {0666, std::nullopt}, {}, services, std::move(handler),
                          *log);
    server.bind();
    daemon::SignalWatcher signals([] {}, [&](int) { server.stop(); });
    server.run();
    return 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 71;
}

} // namespace vmaildir::bench
