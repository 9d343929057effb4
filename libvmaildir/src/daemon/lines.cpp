// The line protocols' request loop (vmaildir/daemon/lines.hpp).
#include "vmaildir/daemon/lines.hpp"

#include "vmaildir/util/line_reader.hpp"

#include <string>

namespace vmaildir::daemon {

void serve_lines(Connection& c, std::size_t max_line, const LineHandler& on_line,
                 const TooLongHandler& on_too_long) {
    util::LineReader reader(max_line);
    std::string line;
    char buf[8192];
    while (std::size_t n = c.receive(buf, sizeof buf, reader.buffered() > 0)) {
        reader.feed(std::string_view(buf, n));
        for (;;) {
            auto status = reader.next(line);
            if (status == util::LineReader::Status::need_more)
                break;
            if (status == util::LineReader::Status::too_long) {
                on_too_long();
                return;
            }
            if (!on_line(line))
                return;
        }
    }
}

} // namespace vmaildir::daemon
