// util::LineReader: the framing of the tcp_table and Dovecot-auth protocols.  The limit on a
// line holds however its bytes arrive; each byte is looked at once for the LF.
#include "vmaildir/util/line_reader.hpp"

#include <doctest/doctest.h>
#include <string>
#include <utility>
#include <vector>

using vmaildir::util::LineReader;

namespace {

/// The lines a reader yields for `chunks`, and whether it refused a line as too long.
std::pair<std::vector<std::string>, bool> read_lines(std::size_t max_line,
                                                     const std::vector<std::string>& chunks) {
    LineReader reader(max_line);
    std::vector<std::string> lines;
    std::string line;
    for (const std::string& chunk : chunks) {
        reader.feed(chunk);
        for (;;) {
            auto status = reader.next(line);
            if (status == LineReader::Status::too_long)
                return {lines, true};
            if (status == LineReader::Status::need_more)
                break;
            lines.push_back(line);
        }
    }
    return {lines, false};
}

} // namespace

TEST_CASE("lines: the limit holds however the bytes arrive") {
    // Found writing the dovecot_auth fuzz harness: serve_auth() checked the limit only on what
    // was left after the whole lines of a read, so a 9000-byte line was taken when its LF
    // came in the read that crossed 8192 bytes, and refused when it came later.  The
    // tcp_table server had the same fault (issue #13, defect 6).
    const std::size_t max = 8192;
    const std::string big = "AUTH\t1\tPLAIN\tresp=" + std::string(9000, 'A');
    const std::string limit(max, 'x');
    struct Row {
        std::string name;
        std::vector<std::string> chunks;
        std::vector<std::string> lines;
        bool too_long;
    };
    const Row rows[] = {
        {"two lines in one read",
         {"VERSION\t1\t2\nCPID\t7\n"},
         {"VERSION\t1\t2", "CPID\t7"},
         false},
        {"a line in pieces", {"VERS", "ION\t1", "\t2\n"}, {"VERSION\t1\t2"}, false},
        {"a partial line waits", {"CPID\t7\nAUTH"}, {"CPID\t7"}, false},
        {"a CR stays, an empty line is a line", {"get a\r\n\n"}, {"get a\r", ""}, false},
        {"max_line bytes pass", {limit + "\n"}, {limit}, false},
        {"max_line bytes pass in pieces",
         {limit.substr(0, 5000), limit.substr(5000) + "\n"},
         {limit},
         false},
        {"a long line whole", {big + "\n"}, {}, true},
        {"a long line in reads of 4096",
         {big.substr(0, 4096), big.substr(4096, 4096), big.substr(8192) + "\n"},
         {},
         true},
        {"a long line without its LF yet", {"CPID\t7\n", big}, {"CPID\t7"}, true},
        {"one byte over, without its LF", {limit + "x"}, {}, true},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        auto [lines, too_long] = read_lines(max, row.chunks);
        CHECK(lines == row.lines);
        CHECK(too_long == row.too_long);
    }
}

TEST_CASE("lines: a trickle, pipelined lines and what is left buffered") {
    LineReader reader(16);
    std::string line;
    // One byte at a time: a line comes out with its LF, and not before.
    for (char ch : std::string("get a@b")) {
        reader.feed(std::string_view(&ch, 1));
        CHECK(reader.next(line) == LineReader::Status::need_more);
    }
    CHECK(reader.buffered() == 7);
    reader.feed("\nget c");
    REQUIRE(reader.next(line) == LineReader::Status::line);
    CHECK(line == "get a@b");
    CHECK(reader.next(line) == LineReader::Status::need_more);
    CHECK(reader.buffered() == 5);
    // Many lines in one read, then the rest of the partial one.
    std::string many;
    for (int i = 0; i < 100; ++i)
        many += "@d\nget " + std::to_string(i);
    reader.feed(many + "\n");
    std::vector<std::string> lines;
    while (reader.next(line) == LineReader::Status::line)
        lines.push_back(line);
    REQUIRE(lines.size() == 101);
    CHECK(lines.front() == "get c@d");
    CHECK(lines.back() == "get 99");
    CHECK(reader.buffered() == 0);
    // A line one byte too long, trickled: refused at its 17th byte, before any LF.
    LineReader slow(16);
    for (int i = 0; i < 16; ++i) {
        slow.feed("x");
        CHECK(slow.next(line) == LineReader::Status::need_more);
    }
    slow.feed("x");
    CHECK(slow.next(line) == LineReader::Status::too_long);
}
