// util/dn: RFC 4514 parsing for comparison and escaping of values put into DNs.  The escaping
// is what keeps a hostile address from adding an RDN or changing the tree a write lands in.
#include "vmaildir/util/dn.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

using vmaildir::util::dn_within;
using vmaildir::util::escape_dn_value;
using vmaildir::util::make_dn;
using vmaildir::util::normalise_dn;
using vmaildir::util::parent_dn;
using vmaildir::util::parse_dn;
using vmaildir::util::Rdn;

namespace {

using namespace std::string_literals;
using namespace std::string_view_literals;

// "type=value|type=value+type=value" per RDN, for comparing parse results in one string.
std::string show(const std::vector<Rdn>& rdns) {
    std::string out;
    for (const Rdn& rdn : rdns) {
        if (!out.empty())
            out += '|';
        for (std::size_t i = 0; i < rdn.size(); ++i) {
            if (i)
                out += '+';
            out += rdn[i].type + "=" + rdn[i].value;
        }
    }
    return out;
}

TEST_CASE("dn: parse_dn accepts RFC 4514 forms") {
    struct Row {
        std::string_view name;
        std::string_view dn;
        std::string parsed; // see show()
        std::size_t rdns;
    };
    const Row rows[] = {
        {"root", "", "", 0},
        {"root of blanks", "   ", "", 0},
        {"one RDN", "dc=example", "dc=example", 1},
        {"types lower-cased", "DC=Example,DC=Com", "dc=Example|dc=Com", 2},
        {"spaces around separators", " cn = a , dc = b ", "cn=a|dc=b", 2},
        {"semicolon separator (legacy)", "cn=a;dc=b", "cn=a|dc=b", 2},
        {"multi-valued RDN", "cn=a+sn=b,dc=c", "cn=a+sn=b|dc=c", 2},
        {"escaped comma", "mail=a\\,b@x,jvd=x", "mail=a,b@x|jvd=x", 2},
        {"hex escape", "cn=a\\2Cb", "cn=a,b", 1},
        {"hex escape lower case", "cn=a\\2cb", "cn=a,b", 1},
        {"escaped backslash then hex-looking text", "cn=a\\\\41", "cn=a\\41", 1},
        {"escaped trailing space kept", "cn=a\\ ", "cn=a ", 1},
        {"unescaped trailing spaces dropped", "cn=a   ,dc=b", "cn=a|dc=b", 2},
        {"inner spaces kept", "cn=John  Smith", "cn=John  Smith", 1},
        {"quoted value", "cn=\"a,b+c\",dc=d", "cn=a,b+c|dc=d", 2},
        {"quoted value with escaped quote", "cn=\"a\\\"b\"", "cn=a\"b", 1},
        {"quoted value, spaces before the separator", "cn=\"a\"  ,dc=b", "cn=a|dc=b", 2},
        {"empty value", "cn=,dc=b", "cn=|dc=b", 2},
        {"numeric OID type", "2.5.4.3=x", "2.5.4.3=x", 1},
        {"UTF-8 value", "cn=J\xC3\xBCrgen", "cn=J\xC3\xBCrgen", 1},
        {"UTF-8 as hex escapes", "cn=J\\C3\\BCrgen", "cn=J\xC3\xBCrgen", 1},
        {"escaped NUL", "cn=a\\00b", "cn=a\0b"s, 1},
        // RFC 4514 §3 and slapd allow a raw '=' in a value; local parts may contain one.
        {"unescaped equals in value", "cn=a=b", "cn=a=b", 1},
        {"address with = in its local part", "mail=bob=fwd@x.org,jvd=x.org",
         "mail=bob=fwd@x.org|jvd=x.org", 2},
        {"escaped comma then equals: one RDN", "cn=x\\,dc=example", "cn=x,dc=example", 1},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        auto parsed = parse_dn(r.dn);
        REQUIRE(parsed.has_value());
        CHECK(parsed->size() == r.rdns);
        CHECK(show(*parsed) == r.parsed);
    }
}

TEST_CASE("dn: parse_dn rejects malformed DNs") {
    struct Row {
        std::string_view name;
        std::string_view dn;
    };
    const Row rows[] = {
        {"no equals", "example"},
        {"empty type", "=a"},
        {"type with a space", "c n=a"},
        {"type with underscore", "c_n=a"},
        {"trailing comma", "cn=a,"},
        {"trailing plus", "cn=a+"},
        {"double comma", "cn=a,,dc=b"},
        {"RDN without equals", "cn=a,dc"},
        {"dangling backslash", "cn=a\\"},
        {"unterminated quote", "cn=\"abc"},
        {"text after a quoted value", "cn=\"a\"x,dc=b"},
        {"text after a quoted value, no separator", "cn=\"a\"dc=b"},
        {"raw NUL", "cn=a\0b"sv},
        {"filter-looking text", "*)(objectClass=*"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK_FALSE(parse_dn(r.dn).has_value());
    }
}

TEST_CASE("dn: escape_dn_value") {
    struct Row {
        std::string_view name;
        std::string value;
        std::string escaped;
    };
    const Row rows[] = {
        {"plain address", "bob@example.org", "bob@example.org"},
        {"empty", "", ""},
        {"comma", "a,b", "a\\2Cb"},
        {"plus", "a+b", "a\\2Bb"},
        {"quote", "a\"b", "a\\22b"},
        {"backslash", "a\\b", "a\\5Cb"},
        {"angle brackets", "<a>", "\\3Ca\\3E"},
        {"semicolon", "a;b", "a\\3Bb"},
        {"equals", "a=b", "a\\3Db"},
        {"leading hash", "#a#", "\\23a#"},
        {"leading and trailing space", " a b ", "\\20a b\\20"},
        {"single space", " ", "\\20"},
        {"NUL", "a\0b"s, "a\\00b"},
        {"newline", "a\nb", "a\\0Ab"},
        {"DEL", "\x7f", "\\7F"},
        {"UTF-8", "\xC3\xBC", "\\C3\\BC"},
        {"filter specials need no DN escape", "*()", "*()"},
        {"hostile RDN injection", "x,jvd=evil.org", "x\\2Cjvd\\3Devil.org"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(escape_dn_value(r.value) == r.escaped);
        // Whatever goes in comes back out of a parse as one value of one RDN.
        auto parsed = parse_dn("cn=" + escape_dn_value(r.value));
        REQUIRE(parsed.has_value());
        REQUIRE(parsed->size() == 1);
        REQUIRE(parsed->front().size() == 1);
        CHECK(parsed->front().front().value == r.value);
    }
}

TEST_CASE("dn: make_dn") {
    CHECK(make_dn("mail", "bob@example.org", "jvd=example.org,o=hosting") ==
          "mail=bob@example.org,jvd=example.org,o=hosting");
    CHECK(make_dn("jvd", "example.org", "") == "jvd=example.org");
    // A hostile value stays inside its RDN: the parent is still the configured one.
    std::string dn = make_dn("mail", "a,jvd=evil.org+cn=x", "jvd=example.org,o=hosting");
    auto parent = parent_dn(dn);
    REQUIRE(parent.has_value());
    CHECK(*parent == "jvd=example.org,o=hosting");
    auto rdns = parse_dn(dn);
    REQUIRE(rdns.has_value());
    CHECK(rdns->size() == 3);
    CHECK(rdns->front().size() == 1);
}

TEST_CASE("dn: normalise_dn") {
    struct Row {
        std::string_view name;
        std::string_view dn;
        std::string normal;
    };
    const Row rows[] = {
        {"root", "", ""},
        {"case and spaces", " DC = Example , dc=COM ", "dc=example,dc=com"},
        {"semicolons become commas", "cn=a;dc=b", "cn=a,dc=b"},
        {"escapes normalised", "cn=a\\2cb", "cn=a\\2Cb"},
        {"quoted form", "cn=\"A,B\"", "cn=a\\2Cb"},
        {"multi-valued RDN", "CN=A+SN=B", "cn=a+sn=b"},
        {"raw equals escaped as slapd does", "mail=Bob=Fwd@X", "mail=bob\\3Dfwd@x"},
        {"malformed: lower-cased text", "NOT A DN", "not a dn"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(normalise_dn(r.dn) == r.normal);
    }
}

TEST_CASE("dn: dn_within") {
    struct Row {
        std::string_view name;
        std::string_view dn;
        std::string_view ancestor;
        bool within;
    };
    const Row rows[] = {
        {"equal", "dc=example,dc=com", "dc=example,dc=com", true},
        {"equal modulo case and spaces", "DC=Example, DC=com", "dc=example,dc=com", true},
        {"child", "jvd=a.org,dc=example,dc=com", "dc=example,dc=com", true},
        {"grandchild", "mail=x@a.org,jvd=a.org,dc=example,dc=com", "dc=example,dc=com", true},
        {"everything is within the root", "dc=com", "", true},
        {"parent is not within child", "dc=com", "dc=example,dc=com", false},
        {"sibling", "dc=other,dc=com", "dc=example,dc=com", false},
        {"suffix of a value only", "dc=myexample,dc=com", "example,dc=com", false},
        {"text suffix inside an RDN value", "cn=x,dc=badexample,dc=com", "dc=example,dc=com",
         false},
        {"multi-valued RDN is not a parent", "cn=x+dc=example,dc=com", "dc=example,dc=com", false},
        {"escaped comma is not a separator", "cn=x\\,dc=example,dc=com", "dc=com", true},
        {"escaped comma does not add a level", "cn=x\\,dc=example,dc=com", "dc=example,dc=com",
         false},
        {"escaped comma cannot fake an ancestor", "cn=x\\,dc=example", "dc=example", false},
        {"malformed child", "cn=x,dc", "dc=example", false},
        {"malformed child with a valid-looking suffix", "x,dc=example", "dc=example", false},
        {"malformed DN is within itself", "x,dc=example", "X,DC=example", true},
        {"equals in a child's value", "mail=a=b@x.org,jvd=x.org", "jvd=x.org", true},
        {"malformed ancestor", "cn=x,dc=example", "dc", false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(dn_within(r.dn, r.ancestor) == r.within);
    }
}

TEST_CASE("dn: parent_dn") {
    struct Row {
        std::string_view name;
        std::string_view dn;
        std::optional<std::string> parent;
    };
    const Row rows[] = {
        {"two RDNs", "mail=a@b,jvd=b", "jvd=b"},
        {"three RDNs, spaces and case kept", "cn=x, O=Hosting Co ,dc=com", "o=Hosting Co,dc=com"},
        {"escaped value re-escaped", "cn=x,cn=a\\2Cb,dc=c", "cn=a\\2Cb,dc=c"},
        {"multi-valued parent", "cn=x,cn=a+sn=b,dc=c", "cn=a+sn=b,dc=c"},
        {"single RDN", "dc=com", std::nullopt},
        {"root", "", std::nullopt},
        {"malformed", "cn=x,,dc=com", std::nullopt},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(parent_dn(r.dn) == r.parent);
    }
}

} // namespace
