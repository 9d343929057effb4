// null_readsocket -- an Exim ${readsocket} server that answers a fixed mailbox
// path to every request at once, without looking anything up: the ceiling
// against which vmaildir-exim's cached lookups are measured
// (bench/run-exim-bench).
//
//   null_readsocket SOCKET_PATH
//
// It runs on vmaildir-exim's own transport, the daemon skeleton's Server (one
// thread per connection), reads the request line as vmaildir-exim does and
// closes after its reply, so the difference between the two is the lookup
// itself.  Runs until SIGTERM/SIGINT; the socket is mode 0666 (a benchmark
// helper, not a service).
#include "null_server.hpp"
#include "vmaildir/daemon/server.hpp"

#include <string>

using namespace vmaildir;

namespace {

void serve(daemon::Connection& c) {
    std::string request;
    char buf[1024];
    while (request.find('\n') == std::string::npos && request.size() < 4096) {
        std::size_t n = c.receive(buf, sizeof buf);
        if (n == 0)
            break;
        request.append(buf, n);
    }
    c.send("d01.bench.test/user001/");
}

} // namespace

int main(int argc, char** argv) {
    return vmaildir::bench::run_null_server("null_readsocket", argc, argv, serve);
}
