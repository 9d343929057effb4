// Socketmap and tcp_table codecs of vmaildir-postfix (postfix-tcp-table/protocol.hpp).  One
// named row per question.  The listener syntax is listen_spec_test.cpp.
//
// Replies are checked twice: byte for byte, and through a small model of what Postfix's own
// clients do with them (dict_sockmap.c, dict_tcp.c and hex_quote.c, Postfix 3.7), so that a
// reply Postfix would misread fails here even when it looks plausible.
#include "protocol.hpp"
#include "vmaildir/util/text.hpp"

#include <cctype>
#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace {

using namespace std::string_literals;
using Values = std::vector<std::string>;
using Res = vmaildir::Result<Values>;
using vmaildir::postfix::NetstringReader;
namespace pf = vmaildir::postfix;

// ---------------------------------------------------------------------------------------------
// What Postfix makes of a reply.

enum class Seen { found, not_found, retry, config, invalid };

std::string to_text(Seen s) {
    switch (s) {
    case Seen::found:
        return "found";
    case Seen::not_found:
        return "not found";
    case Seen::retry:
        return "retry";
    case Seen::config:
        return "config error";
    case Seen::invalid:
        return "invalid";
    }
    return "?";
}

struct Client {
    Seen seen;
    std::string value; ///< found only
};

/// dict_sockmap_lookup() on a reply payload: the payload is a C string (it ends at a NUL),
/// split at the first space; OK without data is an error in 3.7 ("OK" alone even reads as
/// not found), so both count as invalid here.
Client postfix_socketmap(std::string_view payload) {
    if (payload.size() > pf::max_socketmap_reply)
        return {Seen::retry, {}}; // netstring_get: NETSTRING_ERR_SIZE
    payload = payload.substr(0, payload.find('\0'));
    std::size_t space = payload.find(' ');
    std::string_view status = payload.substr(0, space);
    std::optional<std::string_view> data;
    if (space != std::string_view::npos)
        data = payload.substr(space + 1);
    if (status == "OK")
        return data && !data->empty() ? Client{Seen::found, std::string(*data)}
                                      : Client{Seen::invalid, {}};
    if (status == "NOTFOUND")
        return {Seen::not_found, {}};
    if (status == "PERM")
        return {Seen::config, {}};
    return {Seen::retry, {}}; // TEMP, TIMEOUT and anything unknown
}

/// hex_unquote() of Postfix: %XX in either case, anything else after '%' fails.
std::optional<std::string> postfix_hex_unquote(std::string_view hex) {
    auto digit = vmaildir::util::hex_value;
    std::string raw;
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (hex[i] != '%') {
            raw += hex[i];
            continue;
        }
        int hi = i + 1 < hex.size() ? digit(hex[i + 1]) : -1;
        int lo = i + 2 < hex.size() ? digit(hex[i + 2]) : -1;
        if (hi < 0 || lo < 0)
            return std::nullopt;
        raw += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return raw;
}

/// dict_tcp_lookup() on the bytes of one reply: it reads at most 4096 bytes up to and
/// including the first newline, then wants three digits, a space and valid %XX text.  A
/// second newline would be read as the reply to the next request, so it is invalid here.
Client postfix_tcp(std::string_view reply) {
    std::size_t nl = reply.find('\n');
    if (nl == std::string_view::npos || nl + 1 > pf::max_tcp_reply)
        return {Seen::retry, {}}; // "text longer than 4096" or EOF
    if (nl + 1 != reply.size())
        return {Seen::invalid, {}};
    std::string_view line = reply.substr(0, nl);
    line = line.substr(0, line.find('\0'));
    auto is_digit = [](char c) {
        return c >= '0' && c <= '9';
    };
    if (line.size() < 4 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) ||
        std::isspace(static_cast<unsigned char>(line[3])) == 0)
        return {Seen::retry, {}};
    auto text = postfix_hex_unquote(line.substr(4));
    if (!text)
        return {Seen::retry, {}};
    switch (line[0]) {
    case '2':
        return text->empty() ? Client{Seen::invalid, {}} : Client{Seen::found, *text};
    case '5':
        return {Seen::not_found, {}};
    default:
        return {Seen::retry, {}}; // '4' and anything else
    }
}

/// hex_quote() of Postfix in the C locale: '%', whitespace and non-printing bytes.
bool postfix_quotes(unsigned char c) {
    return c == '%' || c >= 0x80 || std::isspace(c) != 0 || std::isprint(c) == 0;
}

std::string all_bytes() {
    std::string s;
    for (int c = 0; c < 256; ++c)
        s += static_cast<char>(c);
    return s;
}

// ---------------------------------------------------------------------------------------------
// Netstrings

struct Drained {
    Values payloads;
    NetstringReader::Status last = NetstringReader::Status::need_more;
};

/// Feeds the chunks one by one and takes every payload out after each; stops at the first
/// malformed status, as the server closes the connection then.
Drained drain(const std::vector<std::string>& chunks) {
    NetstringReader reader;
    Drained out;
    for (const std::string& chunk : chunks) {
        reader.feed(chunk);
        std::string payload = "stale";
        while (true) {
            out.last = reader.next(payload);
            if (out.last == NetstringReader::Status::complete) {
                out.payloads.push_back(payload);
                payload = "stale";
                continue;
            }
            if (out.last == NetstringReader::Status::malformed)
                return out;
            break;
        }
    }
    return out;
}

/// The payloads with bytes outside printable ASCII shown as \xXX, for readable failures.
std::string show(const Values& payloads) {
    std::string out = "{";
    for (const std::string& p : payloads) {
        out += out.size() > 1 ? ", \"" : "\"";
        for (char ch : p) {
            auto c = static_cast<unsigned char>(ch);
            if (c < 0x20 || c >= 0x7f || c == '\\') {
                const char* digits = "0123456789abcdef";
                out += "\\x";
                out += digits[c >> 4];
                out += digits[c & 15];
            } else {
                out += ch;
            }
        }
        out += '"';
    }
    return out + "}";
}

std::string status_text(NetstringReader::Status s) {
    switch (s) {
    case NetstringReader::Status::complete:
        return "complete";
    case NetstringReader::Status::need_more:
        return "need_more";
    case NetstringReader::Status::malformed:
        return "malformed";
    }
    return "?";
}

TEST_CASE("netstring reader: every row gives the same answer however the bytes arrive") {
    using S = NetstringReader::Status;
    const std::string max_payload(pf::max_request, 'x');
    struct Row {
        std::string name;
        std::vector<std::string> chunks; ///< as a client might send them
        Values payloads;                 ///< extracted before the final status
        S last;                          ///< need_more (waiting) or malformed
    };
    const Row rows[] = {
        {"nothing yet", {""}, {}, S::need_more},
        {"one netstring", {"5:hello,"}, {"hello"}, S::need_more},
        {"empty payload", {"0:,"}, {""}, S::need_more},
        {"two empty payloads", {"0:,0:,"}, {"", ""}, S::need_more},
        {"several in one feed", {"5:hello,3:abc,0:,"}, {"hello", "abc", ""}, S::need_more},
        {"split inside the payload", {"5:he", "llo", ","}, {"hello"}, S::need_more},
        {"split inside the length", {"1", "0:0123456789,"}, {"0123456789"}, S::need_more},
        {"split before the comma", {"5:hello", ","}, {"hello"}, S::need_more},
        {"second one split across feeds",
         {"5:hello,7:mail", "box,"},
         {"hello", "mailbox"},
         S::need_more},
        {"a socketmap request",
         {"25:mailbox alice@example.org,"},
         {"mailbox alice@example.org"},
         S::need_more},
        {"colon, comma and space inside the payload", {"7:a:b,c d,"}, {"a:b,c d"}, S::need_more},
        {"binary payload", {"4:\0\n\r\xff,"s}, {"\0\n\r\xff"s}, S::need_more},
        {"payload not complete", {"5:hel"}, {}, S::need_more},
        {"complete one, then a partial one", {"5:hello,2:a"}, {"hello"}, S::need_more},
        {"length without colon yet", {"12"}, {}, S::need_more},
        {"nine digits may still be a length", {"000000005"}, {}, S::need_more},
        {"leading zeros are tolerated (Postfix's own reader does)",
         {"05:hello,"},
         {"hello"},
         S::need_more},
        {"zero written as 00", {"00:,"}, {""}, S::need_more},
        {"the longest request",
         {std::to_string(pf::max_request) + ":" + max_payload + ","},
         {max_payload},
         S::need_more},
        {"missing comma", {"5:helloX"}, {}, S::malformed},
        {"missing comma on the second", {"5:hello,3:abcX"}, {"hello"}, S::malformed},
        {"length one too small", {"4:hello,"}, {}, S::malformed},
        {"newline instead of comma", {"5:hello\n"}, {}, S::malformed},
        {"letter before the colon", {"x5:hello,"}, {}, S::malformed},
        {"letters and no colon", {"abc"}, {}, S::malformed},
        {"space before the length", {" 5:hello,"}, {}, S::malformed},
        {"space before the colon", {"5 :hello,"}, {}, S::malformed},
        {"plus sign", {"+5:hello,"}, {}, S::malformed},
        {"minus sign", {"-1:,"}, {}, S::malformed},
        {"hex length", {"0x5:hello,"}, {}, S::malformed},
        {"no digits before the colon", {":,"}, {}, S::malformed},
        {"longer than max_request", {std::to_string(pf::max_request + 1) + ":"}, {}, S::malformed},
        {"length with too many digits", {"1234567890"}, {}, S::malformed},
        {"huge length with colon", {"99999999999999999999999:"}, {}, S::malformed},
        {"ten digits of leading zeros", {"0000000005:hello,"}, {}, S::malformed},
        {"garbage after a good netstring", {"5:hello,xyz"}, {"hello"}, S::malformed},
        {"newline after a good netstring", {"5:hello,\n"}, {"hello"}, S::malformed},
        {"double comma", {"5:hello,,"}, {"hello"}, S::malformed},
    };
    for (const Row& r : rows) {
        std::string whole;
        for (const std::string& c : r.chunks)
            whole += c;
        std::vector<std::string> bytes;
        for (char c : whole)
            bytes.emplace_back(1, c);
        const std::vector<std::pair<std::string, std::vector<std::string>>> feeds = {
            {"as given", r.chunks}, {"in one feed", {whole}}, {"byte by byte", bytes}};
        for (const auto& [how, chunks] : feeds) {
            std::string name = r.name;
            CAPTURE(name);
            std::string feeding = how;
            CAPTURE(feeding);
            Drained d = drain(chunks);
            CHECK(show(d.payloads) == show(r.payloads));
            CHECK(status_text(d.last) == status_text(r.last));
        }
    }
}

TEST_CASE("netstring reader: a complete payload replaces what the caller's string held") {
    NetstringReader reader;
    reader.feed("0:,");
    std::string payload = "left over";
    REQUIRE(reader.next(payload) == NetstringReader::Status::complete);
    CHECK(payload.empty());
    CHECK(reader.next(payload) == NetstringReader::Status::need_more);
}

TEST_CASE("netstring reader: many requests in one read, then one in pieces") {
    NetstringReader reader;
    std::string many;
    for (int i = 0; i < 1000; ++i)
        many += vmaildir::postfix::netstring("virtual a" + std::to_string(i) + "@example.org");
    reader.feed(many + "21:virtual b");
    std::string payload;
    for (int i = 0; i < 1000; ++i) {
        REQUIRE(reader.next(payload) == NetstringReader::Status::complete);
        CHECK(payload == "virtual a" + std::to_string(i) + "@example.org");
    }
    CHECK(reader.buffered() == 12);
    CHECK(reader.next(payload) == NetstringReader::Status::need_more);
    CHECK(reader.buffered() == 12);
    reader.feed("@example.org,");
    REQUIRE(reader.next(payload) == NetstringReader::Status::complete);
    CHECK(payload == "virtual b@example.org");
    CHECK(reader.buffered() == 0);
    CHECK(reader.next(payload) == NetstringReader::Status::need_more);
}

TEST_CASE("netstring: framing and round trip through the reader") {
    struct Row {
        std::string name;
        std::string payload;
        std::string framed;
    };
    const Row rows[] = {
        {"empty", "", "0:,"},
        {"word", "hello", "5:hello,"},
        {"ten bytes: two length digits", "0123456789", "10:0123456789,"},
        {"reply with trailing space", "NOTFOUND ", "9:NOTFOUND ,"},
        {"binary", "a\0b,c:\n"s, "7:a\0b,c:\n,"s},
        {"longest reply", std::string(pf::max_socketmap_reply, 'y'),
         "100000:" + std::string(pf::max_socketmap_reply, 'y') + ","},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        CHECK(pf::netstring(r.payload) == r.framed);
        if (r.payload.size() <= pf::max_request) {
            NetstringReader reader;
            reader.feed(pf::netstring(r.payload));
            std::string back;
            CHECK(reader.next(back) == NetstringReader::Status::complete);
            CHECK(back == r.payload);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Socketmap

TEST_CASE("socketmap request: '<name> <key>' split at the first space") {
    struct Row {
        std::string name;
        std::string payload;
        std::optional<std::string> map; ///< nothing: refused
        std::string key;
    };
    const Row rows[] = {
        {"name and key", "mailbox alice@example.org", "mailbox", "alice@example.org"},
        {"key with spaces (quoted local part)", "alias \"a b c\"@example.org", "alias",
         "\"a b c\"@example.org"},
        {"key keeps a leading space", "alias  x", "alias", " x"},
        {"key keeps a trailing space", "alias x ", "alias", "x "},
        {"empty key: Postfix sends it as 'name '", "mailbox ", "mailbox", ""},
        {"key with +ext and mixed case", "alias Bob+Tag@Example.ORG", "alias",
         "Bob+Tag@Example.ORG"},
        {"unknown map names still parse (the server answers TEMP)", "nosuch key", "nosuch", "key"},
        {"NUL inside the key kept", "mailbox a\0b"s, "mailbox", "a\0b"s},
        {"tab is no separator", "mailbox\tkey", std::nullopt, ""},
        {"no space", "mailbox", std::nullopt, ""},
        {"empty payload", "", std::nullopt, ""},
        {"empty name", " alice@example.org", std::nullopt, ""},
        {"a single space", " ", std::nullopt, ""},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        auto req = pf::parse_socketmap_request(r.payload);
        REQUIRE(req.has_value() == r.map.has_value());
        if (req) {
            CHECK(req->map == *r.map);
            CHECK(req->key == r.key);
        }
    }
}

TEST_CASE("socketmap reply: exact payloads, and what Postfix's client makes of them") {
    const std::string at_limit(pf::max_socketmap_reply - 3, 'v'); // "OK " + data = 100000
    struct Row {
        std::string name;
        Res result;
        std::string exact;       ///< the whole payload, when the row pins it
        std::string prefix;      ///< otherwise its start
        Seen seen;               ///< what Postfix concludes
        std::string postfix_val; ///< for found
    };
    const Row rows[] = {
        {"found, one value", Res::found({"example.org/alice/"}), "OK example.org/alice/", "",
         Seen::found, "example.org/alice/"},
        {"found, values joined by ','", Res::found({"a@example.org", "b@example.net"}),
         "OK a@example.org,b@example.net", "", Seen::found, "a@example.org,b@example.net"},
        {"found, empty values skipped", Res::found({"", "a", "", "", "b", ""}), "OK a,b", "",
         Seen::found, "a,b"},
        {"found, value with a space kept", Res::found({"Alice Smith"}), "OK Alice Smith", "",
         Seen::found, "Alice Smith"},
        {"found, only empty values: TEMP, never 'OK '", Res::found({"", ""}), "", "TEMP ",
         Seen::retry, ""},
        {"found, no values at all: TEMP", Res::found({}), "", "TEMP ", Seen::retry, ""},
        {"found, a NUL in a value: TEMP (Postfix would cut it)", Res::found({"a\0b"s}), "",
         "TEMP ", Seen::retry, ""},
        {"found, exactly at the 100000-byte limit", Res::found({at_limit}), "OK " + at_limit, "",
         Seen::found, at_limit},
        {"found, one byte over the limit: TEMP", Res::found({at_limit + "v"}), "", "TEMP ",
         Seen::retry, ""},
        {"found, over the limit only once joined",
         Res::found({std::string(50000, 'a'), std::string(49997, 'b')}), "", "TEMP ", Seen::retry,
         ""},
        {"not found", Res::not_found("no such account"), "NOTFOUND ", "", Seen::not_found, ""},
        {"not found without reason", Res::not_found(""), "NOTFOUND ", "", Seen::not_found, ""},
        {"temporary failure with reason", Res::temp_fail("LDAP server down"),
         "TEMP LDAP server down", "", Seen::retry, ""},
        {"temporary failure: CR, LF and NUL become spaces", Res::temp_fail("a\r\nb\0c"s),
         "TEMP a  b c", "", Seen::retry, ""},
        {"temporary failure whose reason says PERM", Res::temp_fail("PERM denied"),
         "TEMP PERM denied", "", Seen::retry, ""},
        {"temporary failure, empty reason", Res::temp_fail(""), "TEMP ", "", Seen::retry, ""},
        {"temporary failure, long reason cut", Res::temp_fail(std::string(5000, 'r')),
         "TEMP " + std::string(1000, 'r'), "", Seen::retry, ""},
        {"default result is a temporary failure", Res(), "", "TEMP ", Seen::retry, ""},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        std::string reply = pf::socketmap_reply(r.result);
        if (!r.exact.empty())
            CHECK(reply == r.exact);
        else
            CHECK(reply.rfind(r.prefix, 0) == 0);
        Client c = postfix_socketmap(reply);
        CHECK(to_text(c.seen) == to_text(r.seen));
        CHECK(c.value == r.postfix_val);
        // Invariants for every reply.
        CHECK(reply.size() <= pf::max_socketmap_reply);
        CHECK(reply.rfind("PERM", 0) != 0);
        CHECK(reply.rfind("TIMEOUT", 0) != 0);
        if (c.seen != Seen::found)
            CHECK(reply.find_first_of("\r\n\0"s) == std::string::npos);
    }
}

TEST_CASE("socketmap temp: the reason is one bounded line") {
    struct Row {
        std::string name;
        std::string reason;
        std::string reply;
    };
    const Row rows[] = {
        {"plain", "unknown map 'x'", "TEMP unknown map 'x'"},
        {"empty", "", "TEMP "},
        {"line breaks", "line1\nline2\r\n", "TEMP line1 line2  "},
        {"NUL", "a\0b"s, "TEMP a b"},
        {"exactly 1000 bytes kept", std::string(1000, 'z'), "TEMP " + std::string(1000, 'z')},
        {"1001 bytes cut to 1000", std::string(1001, 'z'), "TEMP " + std::string(1000, 'z')},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        std::string reply = pf::socketmap_temp(r.reason);
        CHECK(reply == r.reply);
        CHECK(to_text(postfix_socketmap(reply).seen) == to_text(Seen::retry));
    }
}

// ---------------------------------------------------------------------------------------------
// tcp_table

TEST_CASE("tcp_table encoding: exactly what Postfix's hex_quote encodes, upper-case hex") {
    struct Row {
        std::string name;
        std::string raw;
        std::string encoded;
    };
    const Row rows[] = {
        {"empty", "", ""},
        {"address unchanged", "alice+tag@example.org", "alice+tag@example.org"},
        {"printable punctuation unchanged", "!\"#$&'()*,-./:;<=>?[\\]^_`{|}~",
         "!\"#$&'()*,-./:;<=>?[\\]^_`{|}~"},
        {"percent", "100%", "100%25"},
        {"space", "a b", "a%20b"},
        {"tab, LF, VT, FF, CR", "\t\n\v\f\r", "%09%0A%0B%0C%0D"},
        {"NUL", "a\0b"s, "a%00b"},
        {"DEL", "\x7f", "%7F"},
        {"high bytes", "\x80\xc3\xa9\xff", "%80%C3%A9%FF"},
        {"quoted local part", "\"a b\"@x", "\"a%20b\"@x"},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        CHECK(pf::tcp_encode(r.raw) == r.encoded);
        CHECK(pf::tcp_decode(r.encoded) == r.raw);
    }
}

TEST_CASE("tcp_table encoding: all 256 byte values round trip and match hex_quote") {
    for (int i = 0; i < 256; ++i) {
        const auto c = static_cast<unsigned char>(i);
        const std::string raw(1, static_cast<char>(c));
        std::string byte = std::to_string(i);
        CAPTURE(byte);
        std::string enc = pf::tcp_encode(raw);
        CHECK(enc.size() == (postfix_quotes(c) ? 3u : 1u));
        for (char e : enc) // only printable, non-space ASCII on the wire
            CHECK((e > 0x20 && e < 0x7f));
        CHECK(pf::tcp_decode(enc) == raw);
        CHECK(postfix_hex_unquote(enc) == raw);
    }
    const std::string every = all_bytes();
    CHECK(pf::tcp_decode(pf::tcp_encode(every)) == every);
}

TEST_CASE("tcp_table decoding: %XX in either case; bad escapes refused") {
    struct Row {
        std::string name;
        std::string text;
        std::optional<std::string> raw; ///< nothing: refused
    };
    const Row rows[] = {
        {"plain", "alice@example.org", "alice@example.org"},
        {"upper-case hex", "%4A%7E", "J~"},
        {"lower-case hex", "%4a%7e", "J~"},
        {"mixed-case hex", "%4a%7E%c3%A9", "J~\xc3\xa9"},
        {"space", "a%20b", "a b"},
        {"percent", "100%25", "100%"},
        {"NUL", "%00", "\0"s},
        {"0xff", "%ff", "\xff"},
        {"'+' is no space", "a+b", "a+b"},
        {"escape at the very end", "ab%41", "abA"},
        {"lone %", "%", std::nullopt},
        {"one hex digit", "%4", std::nullopt},
        {"one hex digit at the end", "abc%4", std::nullopt},
        {"% at the end", "abc%", std::nullopt},
        {"non-hex", "%zz", std::nullopt},
        {"first digit bad", "%g0", std::nullopt},
        {"second digit bad", "%0g", std::nullopt},
        {"double %", "%%", std::nullopt},
        {"space after %", "% 41", std::nullopt},
        {"sign after %", "%+1", std::nullopt},
        {"minus after %", "%-1", std::nullopt},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        CHECK(pf::tcp_decode(r.text) == r.raw);
        CHECK(postfix_hex_unquote(r.text) == r.raw); // the model agrees with Postfix's rules
    }
}

TEST_CASE("tcp_table decoding: an escape cut by the end of the text is refused") {
    // The view ends inside the escape while the next bytes in memory would complete it: the
    // decoder must not look past its input.
    const std::string memory = "get a%41";
    struct Row {
        std::string name;
        std::size_t length; ///< of the view into `memory`
    };
    const Row rows[] = {{"'%' is the last byte", 6}, {"one hex digit is the last", 7}};
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        const std::string_view line = std::string_view(memory).substr(0, r.length);
        CHECK_FALSE(pf::tcp_decode(line.substr(4)).has_value());
        CHECK_FALSE(pf::parse_tcp_request(line).has_value());
    }
    CHECK(pf::tcp_decode(std::string_view(memory).substr(4)) == "aA"); // the whole escape
}

TEST_CASE("tcp_table request: 'get <key>' as dict_tcp.c sends it") {
    struct Row {
        std::string name;
        std::string line; ///< without its "\n"
        std::optional<std::string> key;
    };
    const Row rows[] = {
        {"get key", "get alice@example.org", "alice@example.org"},
        {"CR before the newline tolerated", "get alice@example.org\r", "alice@example.org"},
        {"encoded space", "get %22a%20b%22@x", "\"a b\"@x"},
        {"encoded percent", "get 100%25@x", "100%@x"},
        {"lower-case escapes", "get a%2bb", "a+b"},
        {"empty key: Postfix sends 'get '", "get ", ""},
        {"wildcard probe of transport_maps", "get *", "*"},
        {"upper-case GET: Postfix sends 'get' only", "GET alice@example.org", std::nullopt},
        {"mixed-case Get", "Get alice@example.org", std::nullopt},
        {"put is not implemented", "put alice@example.org x", std::nullopt},
        {"get without key", "get", std::nullopt},
        {"get glued to the key", "getalice@example.org", std::nullopt},
        {"tab after get", "get\talice@example.org", std::nullopt},
        {"leading space", " get alice@example.org", std::nullopt},
        {"empty line", "", std::nullopt},
        {"CR only", "\r", std::nullopt},
        {"bad escape", "get a%zz", std::nullopt},
        {"truncated escape", "get a%4", std::nullopt},
        {"lone % at the end", "get a%", std::nullopt},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        CHECK(pf::parse_tcp_request(r.line) == r.key);
    }
}

TEST_CASE("tcp_table request: every key Postfix can send arrives unchanged") {
    // Postfix keys are C strings: any byte but NUL, quoted by hex_quote().
    std::string every = all_bytes().substr(1);
    const std::string keys[] = {
        "alice@example.org", "Bob+Tag@Example.ORG", "\"a b\"@x", "100%@x", "tab\there", every};
    for (const std::string& key : keys) {
        std::string shown = pf::tcp_encode(key);
        CAPTURE(shown);
        CHECK(pf::parse_tcp_request("get " + pf::tcp_encode(key)) == key);
    }
}

TEST_CASE("tcp_table reply: 200/500/400 lines, encoded, within 4096 bytes with the newline") {
    // "200 " + data + "\n" is data + 5 bytes.
    const std::string fits(pf::max_tcp_reply - 5, 'd');
    const std::string fits_encoded = std::string(1363, ' ') + "xx"; // 1363*3 + 2 = 4091
    struct Row {
        std::string name;
        Res result;
        std::string exact;  ///< the whole line, when the row pins it
        std::string prefix; ///< otherwise its start
        Seen seen;
        std::string postfix_val;
    };
    const Row rows[] = {
        {"found, one value", Res::found({"example.org/alice/"}), "200 example.org/alice/\n", "",
         Seen::found, "example.org/alice/"},
        {"found, values joined by ','", Res::found({"a@x", "b@y"}), "200 a@x,b@y\n", "",
         Seen::found, "a@x,b@y"},
        {"found, empty values skipped", Res::found({"", "a", "", "b"}), "200 a,b\n", "",
         Seen::found, "a,b"},
        {"found, spaces encoded", Res::found({"Alice Smith"}), "200 Alice%20Smith\n", "",
         Seen::found, "Alice Smith"},
        {"found, '%' encoded", Res::found({"100%"}), "200 100%25\n", "", Seen::found, "100%"},
        {"found, newline in a value encoded", Res::found({"a\nb"}), "200 a%0Ab\n", "", Seen::found,
         "a\nb"},
        {"found, only empty values: 400", Res::found({""}), "", "400 ", Seen::retry, ""},
        {"found, no values: 400", Res::found({}), "", "400 ", Seen::retry, ""},
        {"found, 4096 bytes with the newline", Res::found({fits}), "200 " + fits + "\n", "",
         Seen::found, fits},
        {"found, 4097 bytes: 400", Res::found({fits + "d"}), "", "400 ", Seen::retry, ""},
        {"found, 4096 bytes only once encoded", Res::found({fits_encoded}),
         "200 " + pf::tcp_encode(fits_encoded) + "\n", "", Seen::found, fits_encoded},
        {"found, over the limit only once encoded", Res::found({fits_encoded + " "}), "", "400 ",
         Seen::retry, ""},
        {"not found with reason", Res::not_found("no such account"), "500 no%20such%20account\n",
         "", Seen::not_found, ""},
        {"not found without reason", Res::not_found(""), "500 not%20found\n", "", Seen::not_found,
         ""},
        {"not found, reason with '%' and CRLF", Res::not_found("50%\r\n"), "500 50%25%20%20\n", "",
         Seen::not_found, ""},
        {"not found, long reason bounded", Res::not_found(std::string(5000, '%')), "", "500 ",
         Seen::not_found, ""},
        {"temporary failure", Res::temp_fail("LDAP server down"), "400 LDAP%20server%20down\n", "",
         Seen::retry, ""},
        {"temporary failure, CR LF NUL", Res::temp_fail("a\r\nb\0c"s), "400 a%20%20b%20c\n", "",
         Seen::retry, ""},
        {"temporary failure, long reason bounded", Res::temp_fail(std::string(5000, '\n')), "",
         "400 ", Seen::retry, ""},
        {"temporary failure, empty reason", Res::temp_fail(""), "400 \n", "", Seen::retry, ""},
        {"default result is a temporary failure", Res(), "", "400 ", Seen::retry, ""},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        std::string reply = pf::tcp_reply(r.result);
        if (!r.exact.empty())
            CHECK(reply == r.exact);
        else
            CHECK(reply.rfind(r.prefix, 0) == 0);
        Client c = postfix_tcp(reply);
        CHECK(to_text(c.seen) == to_text(r.seen));
        CHECK(c.value == r.postfix_val);
        CHECK(reply.size() <= pf::max_tcp_reply);
        CHECK(reply.find('\n') == reply.size() - 1);
        CHECK(reply.find(' ', 4) == std::string::npos); // one space, after the code
    }
}

TEST_CASE("tcp_table temp: one bounded 400 line") {
    struct Row {
        std::string name;
        std::string reason;
        std::string line;
    };
    const Row rows[] = {
        {"plain", "malformed request", "400 malformed%20request\n"},
        {"line breaks", "a\nb", "400 a%20b\n"},
        {"1000 bytes kept", std::string(1000, 'z'), "400 " + std::string(1000, 'z') + "\n"},
        {"1001 bytes cut", std::string(1001, 'z'), "400 " + std::string(1000, 'z') + "\n"},
        {"1000 encoded bytes fit", std::string(1000, '%'),
         "400 " + pf::tcp_encode(std::string(1000, '%')) + "\n"},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        std::string line = pf::tcp_temp(r.reason);
        CHECK(line == r.line);
        CHECK(line.size() <= pf::max_tcp_reply);
        CHECK(to_text(postfix_tcp(line).seen) == to_text(Seen::retry));
    }
}

} // namespace
