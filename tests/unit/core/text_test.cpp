// util/text: ASCII helpers every parser leans on.  Each table row is one named case.
#include "vmaildir/util/text.hpp"

#include <doctest/doctest.h>
#include <string>
#include <string_view>
#include <vector>

using vmaildir::util::ascii_lower;
using vmaildir::util::iequals;
using vmaildir::util::parse_bool;
using vmaildir::util::printable;
using vmaildir::util::split_list;
using vmaildir::util::trim;

namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

TEST_CASE("text: ascii_lower folds A-Z only") {
    struct Row {
        std::string_view name;
        std::string in;
        std::string out;
    };
    const Row rows[] = {
        {"empty", "", ""},
        {"upper", "EXAMPLE.ORG", "example.org"},
        {"mixed with digits", "Bob.Smith+Tag1", "bob.smith+tag1"},
        {"already lower", "abc", "abc"},
        {"punctuation around the letter range", "@[`{", "@[`{"},
        {"UTF-8 stays intact", "M\u00DCLLER", "m\u00DCller"},
        {"Latin-1 byte untouched", "\xC4X", "\xC4x"},
        {"NUL kept", "A\0B"s, "a\0b"s},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(ascii_lower(r.in) == r.out);
    }
}

TEST_CASE("text: iequals") {
    struct Row {
        std::string_view name;
        std::string_view a;
        std::string_view b;
        bool equal;
    };
    const Row rows[] = {
        {"both empty", "", "", true},
        {"same", "mail", "mail", true},
        {"case differs", "objectClass", "OBJECTCLASS", true},
        {"length differs", "mail", "mails", false},
        {"prefix only", "mai", "mail", false},
        {"one char differs", "mail", "maip", false},
        {"non-ASCII not folded", "\xC3\x9C", "\xC3\xBC", false},
        {"@ vs `: not letters", "@", "`", false},
        {"[ vs {: not letters", "[", "{", false},
        {"NUL inside", "a\0b"sv, "A\0B"sv, true},
        {"NUL vs other", "a\0b"sv, "a\1b"sv, false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(iequals(r.a, r.b) == r.equal);
        CHECK(iequals(r.b, r.a) == r.equal);
    }
}

TEST_CASE("text: trim removes blanks at both ends only") {
    struct Row {
        std::string_view name;
        std::string_view in;
        std::string_view out;
    };
    const Row rows[] = {
        {"empty", "", ""},
        {"only blanks", " \t\r\n ", ""},
        {"nothing to trim", "a b", "a b"},
        {"leading", "  x", "x"},
        {"trailing CRLF", "x\r\n", "x"},
        {"both, inner kept", "\t a  b \n", "a  b"},
        {"vertical tab is not a blank", "\vx\v", "\vx\v"},
        {"NUL is not a blank", "\0x"sv, "\0x"sv},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(trim(r.in) == r.out);
    }
}

TEST_CASE("text: split_list drops empty fields") {
    using V = std::vector<std::string>;
    struct Row {
        std::string_view name;
        std::string_view in;
        std::string_view separators;
        V out;
    };
    const Row rows[] = {
        {"empty", "", ", \t", {}},
        {"only separators", " ,, \t", ", \t", {}},
        {"one item", "ldap://a/", ", \t", {"ldap://a/"}},
        {"documented example", "a, b,,c", ", ", {"a", "b", "c"}},
        {"tabs and spaces", "a\tb  c", ", \t", {"a", "b", "c"}},
        {"leading and trailing separators", ",a,", ",", {"a"}},
        {"custom separator keeps spaces", "a b;c", ";", {"a b", "c"}},
        {"no separators at all", "a,b", "", {"a,b"}},
        {"single character items", "a,b,c", ",", {"a", "b", "c"}},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(split_list(r.in, r.separators) == r.out);
    }
    CHECK(split_list("x y,z") == V{"x", "y", "z"}); // default separators
}

TEST_CASE("text: parse_bool") {
    struct Row {
        std::string_view name;
        std::string_view in;
        bool ok;
        bool value;
    };
    const Row rows[] = {
        {"TRUE (LDAP)", "TRUE", true, true},
        {"FALSE (LDAP)", "FALSE", true, false},
        {"yes", "yes", true, true},
        {"no", "no", true, false},
        {"on", "On", true, true},
        {"off", "OFF", true, false},
        {"1", "1", true, true},
        {"0", "0", true, false},
        {"blanks around", " yes \t", true, true},
        {"empty", "", false, false},
        {"2", "2", false, false},
        {"y", "y", false, false},
        {"truthy prefix", "truex", false, false},
        {"inner space", "t rue", false, false},
        {"NUL after", "yes\0"sv, false, false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        // Start from the opposite of the expected flag so that "not written" cannot pass.
        bool ok = !r.ok;
        bool value = parse_bool(r.in, ok);
        CHECK(ok == r.ok);
        CHECK(value == r.value);
    }
}

TEST_CASE("text: printable escapes and cuts") {
    struct Row {
        std::string_view name;
        std::string in;
        std::size_t limit;
        std::string out;
    };
    const Row rows[] = {
        {"plain", "bob@example.org", 200, "bob@example.org"},
        {"empty", "", 200, ""},
        {"NUL", "a\0b"s, 200, "a\\x00b"},
        {"CR LF", "a\r\n", 200, "a\\x0D\\x0A"},
        {"backslash", "a\\b", 200, "a\\x5Cb"},
        {"DEL", "\x7f", 200, "\\x7F"},
        {"UTF-8 bytes", "\xC3\xA9", 200, "\\xC3\\xA9"},
        {"LDAP specials stay readable", "*)(uid=*", 200, "*)(uid=*"},
        {"exactly at the limit", "abcd", 4, "abcd"},
        {"one over the limit", "abcde", 4, "abcd..."},
        {"limit zero", "a", 0, "..."},
        {"escape never split", "ab\x01z", 3, "ab\\x01..."},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(printable(r.in, r.limit) == r.out);
    }
}

TEST_CASE("text: printable of a long hostile key is one bounded line") {
    std::string key(1000, '\n');
    std::string out = printable(key);
    CHECK(out.find('\n') == std::string::npos);
    CHECK(out.size() <= 200 + 4 + 3); // at most one escape past the limit, then "..."
    CHECK(out.substr(out.size() - 3) == "...");
}

} // namespace
