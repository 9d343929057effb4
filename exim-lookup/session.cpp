// The request of a ${readsocket} connection (session.hpp).
#include "session.hpp"

#include "protocol.hpp"
#include "vmaildir/util/line_reader.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir::exim {

namespace {

/// Reads up to the first newline, or to EOF (Exim half-closes after writing).  Nothing when
/// the client sent nothing or a line longer than max_request (util::LineReader: the same
/// verdict however the bytes arrive, and whatever follows the newline).
std::optional<std::string> read_request(daemon::Connection& c, bool& too_long) {
    util::LineReader reader(max_request);
    std::string line;
    char buf[1024];
    for (;;) {
        std::size_t n = c.receive(buf, sizeof buf, reader.buffered() > 0);
        if (n == 0 && reader.buffered() == 0)
            return std::nullopt;
        reader.feed(n == 0 ? std::string_view("\n") : std::string_view(buf, n)); // EOF ends it
        switch (reader.next(line)) {
        case util::LineReader::Status::line:
            return line;
        case util::LineReader::Status::too_long:
            too_long = true;
            return std::nullopt;
        case util::LineReader::Status::need_more:
            break;
        }
    }
}

} // namespace

void serve_readsocket(daemon::Connection& c, const ListenSpec& spec) {
    bool too_long = false;
    auto line = read_request(c, too_long);
    if (!line) {
        if (too_long) {
            c.log().warning(spec.text + ": request longer than " + std::to_string(max_request) +
                            " bytes; answering defer");
            c.send(defer_reply("request too long"));
        }
        return;
    }
    auto request = parse_request(*line);
    if (!request) {
        c.log().warning(spec.text + ": malformed request " + util::printable(*line) +
                        "; answering defer");
        c.send(defer_reply("malformed request: expected 'MAP KEY'"));
        return;
    }
    auto map = request_map(request->map);
    if (!map) {
        // A mistake in exim4.conf: defer, never decline.
        c.log().warning(spec.text + ": unknown map '" + util::printable(request->map) +
                        "'; answering defer");
        c.send(defer_reply("unknown map '" + request->map + "'"));
        return;
    }
    auto result = c.service().lookup(*map, request->key);
    std::string answer = reply(*map, result);
    Logger& log = c.log();
    if (result.is_temp_fail())
        log.warning(spec.text + " " + request->map + " " + util::printable(request->key) +
                    ": temporary failure: " + result.reason());
    else if (answer.rfind(":defer:", 0) == 0)
        log.warning(spec.text + " " + request->map + " " + util::printable(request->key) + ": " +
                    answer.substr(8));
    else if (log.enabled(LogLevel::debug))
        log.debug(spec.text + " " + request->map + " " + util::printable(request->key) + ": " +
                  to_string(result.outcome()));
    c.send(answer);
}

} // namespace vmaildir::exim
