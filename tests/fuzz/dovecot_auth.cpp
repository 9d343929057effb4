// The Dovecot authentication protocol server (dovecot-auth/auth_protocol.hpp), fed a client's
// byte stream (VERSION, CPID, AUTH with base64 initial responses, CONT) as serve_auth() reads
// it (util::LineReader, which the line_reader harness fuzzes alone): read whole and in small
// pieces the stream gives the same lines and the same verdict on an over-long line; a
// line ending in CRLF is answered as the same line ending in LF; every reply is one line
// within max_line, OK / FAIL / CONT for the id asked about; OK comes only from a password
// check that said found, and that check never sees a NUL or an empty login; base64 decodes
// to at most three bytes for four and round-trips.
#include "auth_protocol.hpp"
#include "fuzz.hpp"
#include "vmaildir/util/base64.hpp"
#include "vmaildir/util/line_reader.hpp"

#include <string>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::dovecot;

namespace {

/// Every line the reader yields for `chunks`, and whether it ended on an over-long line.
std::pair<std::vector<std::string>, bool> read_all(const std::vector<std::string_view>& chunks) {
    return fuzz::read_all(util::LineReader(max_line), chunks, util::LineReader::Status::too_long);
}

/// The fields of a reply line (without its LF), as the hosts split them.
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        std::size_t tab = line.find('\t', start);
        out.push_back(line.substr(start, tab == std::string_view::npos ? tab : tab - start));
        if (tab == std::string_view::npos)
            return out;
        start = tab + 1;
    }
}

/// What the password check was last asked and answered.
struct Checks {
    bool called = false;
    bool found = false;
};

Conversation conversation(Checks& checks) {
    return Conversation([&checks](std::string_view login, std::string_view password,
                                  std::string_view) -> Result<std::string> {
        fuzz::require(!login.empty(), "the check never gets an empty login");
        fuzz::require(login.find('\0') == std::string_view::npos &&
                          password.find('\0') == std::string_view::npos,
                      "the check never gets a NUL");
        checks.called = true;
        checks.found = false;
        if (login.rfind("down", 0) == 0)
            return Result<std::string>::temp_fail("scripted: server down");
        if (login == "alice@example.org" && password == "alice-pw") {
            checks.found = true;
            return Result<std::string>::found("alice@example.org");
        }
        return Result<std::string>::not_found("wrong password");
    });
}

/// The id an AUTH or CONT line asks about (its second field), or empty.
std::string_view asked_id(std::string_view line) {
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    auto f = fields(line);
    if (f.size() < 2 || (f[0] != "AUTH" && f[0] != "CONT"))
        return {};
    return f[1];
}

void check_step(const Conversation::Step& s, std::string_view line, const Checks& checks) {
    if (s.reply.empty())
        return;
    fuzz::require(s.reply.size() <= max_line + 1, "a reply fits max_line");
    fuzz::require(s.reply.back() == '\n' && s.reply.find('\n') == s.reply.size() - 1,
                  "a reply is one line");
    auto f = fields(std::string_view(s.reply).substr(0, s.reply.size() - 1));
    fuzz::require(f.size() >= 2 && (f[0] == "OK" || f[0] == "FAIL" || f[0] == "CONT"),
                  "a reply is OK, FAIL or CONT");
    fuzz::require(f[1] == asked_id(line), "a reply names the id asked about");
    for (std::string_view field : f)
        for (unsigned char c : field)
            fuzz::require(c >= 0x20 && c != 0x7f, "no control byte in a reply field");
    if (f[0] == "OK")
        fuzz::require(checks.called && checks.found, "OK only when the check said found");
    if (f[0] == "CONT")
        fuzz::require(f.size() == 3 && util::base64_decode(f[2]).has_value(),
                      "CONT carries one base64 challenge");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    auto whole = read_all({in});
    // Byte by byte over the first 256 bytes, then in chunks of 1 to 97 bytes sized by the
    // input itself (as the socketmap harness does).
    std::vector<std::string_view> chunks;
    for (std::size_t i = 0; i < in.size();) {
        std::size_t n = i < 256 ? 1 : 1 + static_cast<unsigned char>(in[i]) % 97;
        chunks.push_back(in.substr(i, n));
        i += n;
    }
    fuzz::require(whole == read_all(chunks), "lines read whole and in pieces agree");
    for (const std::string& line : whole.first)
        fuzz::require(line.size() <= max_line && line.find('\n') == std::string::npos,
                      "a line is within max_line, without LF");

    // The conversation over those lines, and the same lines ending in CRLF.
    Checks checks, checks_crlf;
    Conversation lf = conversation(checks), crlf = conversation(checks_crlf);
    for (std::string line : whole.first) {
        if (!line.empty() && line.back() == '\r')
            line.pop_back(); // only one CR is taken off: "x\r\r\n" is "x\r"
        checks.called = false;
        auto s = lf.line(line);
        // A line still ending in CR is a CRLF line itself ("x\r\r\n"), which the conversation
        // reads as "x": the other one gets it as it is, or "x\r" would be compared with "x".
        const bool bare = line.empty() || line.back() != '\r';
        auto t = crlf.line(bare ? line + "\r" : line);
        fuzz::require(s.reply == t.reply && s.close == t.close && s.log == t.log,
                      "CRLF and LF lines are answered alike");
        check_step(s, line, checks);
        fuzz::require(s.log.find('\n') == std::string::npos, "a log line is one line");
        if (s.close)
            break;
    }

    // The base64 of a response: at most three bytes for every four, and a round trip.  On the
    // first 4 KB: over whole inputs of up to 64 KB, this took half of the harness's time (the
    // fuzzer's compare tracing in every step of the loops) and found nothing more.
    const std::string_view b64 = in.substr(0, 4096);
    if (auto decoded = util::base64_decode(b64)) {
        fuzz::require(decoded->size() <= b64.size() / 4 * 3, "base64 yields at most 3/4");
        fuzz::require(util::base64_encode(*decoded).size() <= b64.size(),
                      "re-encoding is no longer than the input");
    }
    auto encoded = util::base64_encode(b64);
    fuzz::require(util::base64_decode(encoded) == std::string(b64), "base64 round-trips");
    return 0;
}
