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
#include "null_server.hpp"
#include "vmaildir/daemon/server.hpp"

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

int main(int argc, char** argv) {
    return vmaildir::bench::run_null_server("null_socketmap", argc, argv, serve);
}
