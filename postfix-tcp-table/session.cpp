// The request loops of vmaildir-postfix (session.hpp).
#include "session.hpp"

#include "protocol.hpp"
#include "vmaildir/daemon/lines.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir::postfix {

namespace {

/// The lookup, logged: every temporary failure as a warning with its reason, every other
/// outcome at debug level.
Result<std::vector<std::string>> answer(daemon::Connection& c, const ListenSpec& spec, MapName map,
                                        std::string_view key) {
    auto r = c.service().lookup(map, key);
    Logger& log = c.log();
    if (r.is_temp_fail())
        log.warning(spec.text + " " + to_string(map) + " " + util::printable(key) +
                    ": temporary failure: " + r.reason());
    else if (log.enabled(LogLevel::debug))
        log.debug(spec.text + " " + to_string(map) + " " + util::printable(key) + ": " +
                  to_string(r.outcome()));
    return r;
}

} // namespace

void serve_socketmap(daemon::Connection& c, const ListenSpec& spec) {
    NetstringReader reader;
    char buf[8192];
    std::string payload;
    while (std::size_t n = c.receive(buf, sizeof buf, reader.buffered() > 0)) {
        reader.feed(std::string_view(buf, n));
        while (true) {
            auto status = reader.next(payload);
            if (status == NetstringReader::Status::need_more)
                break;
            if (status == NetstringReader::Status::malformed) {
                c.log().warning(spec.text + ": malformed netstring from the client; closing");
                c.send(netstring(socketmap_temp("malformed request")));
                return;
            }
            auto request = parse_socketmap_request(payload);
            std::string reply;
            if (!request) {
                c.log().warning(spec.text + ": request without a map name; answering TEMP");
                reply = socketmap_temp("malformed request: expected 'name key'");
            } else if (auto map = parse_map_name(request->map); !map) {
                // A configuration mistake on the Postfix side: defer, never PERM.
                c.log().warning(spec.text + ": unknown map '" + util::printable(request->map) +
                                "'; answering TEMP");
                reply = socketmap_temp("unknown map '" + std::string(request->map) + "'");
            } else {
                reply = socketmap_reply(answer(c, spec, *map, request->key));
            }
            if (!c.send(netstring(reply)))
                return;
        }
    }
}

void serve_tcp_table(daemon::Connection& c, const ListenSpec& spec) {
    daemon::serve_lines(
        c, max_request,
        [&](std::string_view line) {
            auto key = parse_tcp_request(line);
            if (!key) {
                c.log().warning(spec.text + ": malformed request line; closing");
                c.send(tcp_temp("malformed request: expected 'get KEY'"));
                return false;
            }
            return c.send(tcp_reply(answer(c, spec, *spec.map, *key)));
        },
        [&] {
            c.log().warning(spec.text + ": request line longer than " +
                            std::to_string(max_request) + " bytes; closing");
            c.send(tcp_temp("request too long"));
        });
}

} // namespace vmaildir::postfix
