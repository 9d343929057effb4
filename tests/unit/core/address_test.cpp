// Address normalisation (SPEC §2): the one place a key becomes an Address or is refused.
// Hostile keys are accepted or refused here as plain data; that they cannot widen a search is
// the filter's job (filter_test.cpp) and is checked there.
#include "vmaildir/model/address.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

using vmaildir::Address;
using vmaildir::AddressPolicy;
using vmaildir::normalise_domain;
using vmaildir::parse_address;

namespace {

using namespace std::string_literals;

const AddressPolicy default_policy{};

/// The reason a key is refused, or "" when it parses.
std::string refusal(const std::string& key, const AddressPolicy& policy = default_policy) {
    auto r = parse_address(key, policy);
    if (auto* reason = std::get_if<std::string>(&r))
        return *reason;
    return "";
}

Address parsed(const std::string& key, const AddressPolicy& policy = default_policy) {
    auto r = parse_address(key, policy);
    REQUIRE(std::holds_alternative<Address>(r));
    return std::get<Address>(r);
}

TEST_CASE("address: accepted keys and their parts") {
    struct Row {
        std::string_view name;
        std::string key;
        std::string original;
        std::string local;
        std::string domain;
        std::string key_form;
    };
    const Row rows[] = {
        {"plain", "bob@example.org", "bob@example.org", "bob", "example.org", "bob@example.org"},
        {"angle brackets stripped", "<bob@example.org>", "bob@example.org", "bob", "example.org",
         "bob@example.org"},
        {"blanks around brackets", " <bob@example.org>\r\n", "bob@example.org", "bob",
         "example.org", "bob@example.org"},
        // Found by tests/fuzz/address: the local part was " bob", and its text() parsed back
        // as another address.
        {"blanks inside brackets", "< bob@example.org >", "bob@example.org", "bob",
         "example.org", "bob@example.org"},
        {"upper-case domain lowered", "bob@EXAMPLE.Org", "bob@EXAMPLE.Org", "bob", "example.org",
         "bob@example.org"},
        {"trailing dot dropped", "bob@example.org.", "bob@example.org.", "bob", "example.org",
         "bob@example.org"},
        {"local part folded in the key only", "Bob.Smith@example.org", "Bob.Smith@example.org",
         "Bob.Smith", "example.org", "bob.smith@example.org"},
        {"last @ splits", "\"a@b\"@example.org", "\"a@b\"@example.org", "\"a@b\"", "example.org",
         "\"a@b\"@example.org"},
        {"sub-address kept as received", "bob+Tag@example.org", "bob+Tag@example.org", "bob+Tag",
         "example.org", "bob+tag@example.org"},
        {"single-label domain", "root@localhost", "root@localhost", "root", "localhost",
         "root@localhost"},
        {"hyphen and digits in labels", "a@mx-1.ex4mple.org", "a@mx-1.ex4mple.org", "a",
         "mx-1.ex4mple.org", "a@mx-1.ex4mple.org"},
        {"UTF-8 domain labels kept", "bob@b\u00FCcher.DE", "bob@b\u00FCcher.DE", "bob",
         "b\u00FCcher.de", "bob@b\u00FCcher.de"},
        {"A-label kept", "bob@xn--bcher-kva.de", "bob@xn--bcher-kva.de", "bob", "xn--bcher-kva.de",
         "bob@xn--bcher-kva.de"},
        {"UTF-8 local part not folded", "J\xC3\x9CRGEN@x.org", "J\xC3\x9CRGEN@x.org",
         "J\xC3\x9CRGEN", "x.org", "j\xC3\x9Crgen@x.org"},
        // RFC 5322 allows these in a local part; they are escaped where filters and DNs are
        // built (filter_test.cpp, dn_test.cpp).
        {"hostile: star", "*@example.org", "*@example.org", "*", "example.org", "*@example.org"},
        {"hostile: filter breakout", "*)(objectClass=*@example.org", "*)(objectClass=*@example.org",
         "*)(objectClass=*", "example.org", "*)(objectclass=*@example.org"},
        {"hostile: parentheses", ")(@example.org", ")(@example.org", ")(", "example.org",
         ")(@example.org"},
        {"hostile: backslash", "a\\2a@example.org", "a\\2a@example.org", "a\\2a", "example.org",
         "a\\2a@example.org"},
        {"hostile: DN breakout", "a,jvd=evil.org@example.org", "a,jvd=evil.org@example.org",
         "a,jvd=evil.org", "example.org", "a,jvd=evil.org@example.org"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Address a = parsed(r.key);
        CHECK(a.original() == r.original);
        CHECK(a.local() == r.local);
        CHECK(a.domain() == r.domain);
        CHECK(a.key() == r.key_form);
        CHECK(a.text() == r.local + "@" + r.domain);
    }
}

TEST_CASE("address: refused keys say why") {
    struct Row {
        std::string_view name;
        std::string key;
        std::string reason_part; // a word the reason must contain
    };
    const std::string local64(64, 'a');
    const std::string label63(63, 'b');
    // 64 + 1 + 255 = 320 octets: the longest acceptable address (four labels of 63 and a dot
    // between each: 4*63 + 3 = 255).
    const std::string domain255 = label63 + "." + label63 + "." + label63 + "." + label63;
    const Row rows[] = {
        {"empty", "", "empty"},
        {"only blanks", " \t\r\n", "empty"},
        {"empty brackets (null sender)", "<>", "empty"},
        {"one char over 320", local64 + "@" + domain255 + "x", "longer than 320"},
        {"1,000-character key", std::string(1000, 'a') + "@example.org", "longer than 320"},
        {"1,000 stars", std::string(1000, '*'), "longer than 320"},
        {"local part of 65", std::string(65, 'a') + "@example.org", "local part"},
        {"no @", "bob.example.org", "no @"},
        {"no @ but brackets", "<postmaster>", "no @"},
        {"empty local part", "@example.org", "empty local part"},
        {"empty domain", "bob@", "domain"},
        {"NUL in the local part", "bo\0b@example.org"s, "control"},
        {"NUL in the domain", "bob@exa\0mple.org"s, "control"},
        {"NUL alone", "\0"s, "control"},
        {"CR LF inside", "bob\r\n@example.org", "control"},
        {"tab inside", "bo\tb@example.org", "control"},
        {"DEL", "bob\x7f@example.org", "control"},
        {"escape byte", "bob\x1b[0m@example.org", "control"},
        {"leading dot in domain", "bob@.example.org", "domain"},
        {"double dot", "bob@example..org", "domain"},
        {"two trailing dots", "bob@example.org..", "domain"},
        {"only a dot", "bob@.", "domain"},
        {"label starts with hyphen", "bob@-example.org", "domain"},
        {"label ends with hyphen", "bob@example-.org", "domain"},
        {"domain ends with hyphen", "bob@example.org-", "domain"},
        {"label of 64", "bob@" + std::string(64, 'b') + ".org", "domain"},
        {"space in domain", "bob@exa mple.org", "domain"},
        {"blank after the @", "bob@ example.org", "domain"},
        {"opening bracket only", "<bob@example.org", "unbalanced"},
        {"closing bracket only", "bob@example.org>", "unbalanced"},
        {"domain literal", "bob@[192.0.2.1]", "domain"},
        {"star in domain", "bob@*", "domain"},
        {"filter breakout in domain", "bob@x)(objectClass=*", "domain"},
        {"backslash in domain", "bob@a\\2a.org", "domain"},
        {"comma in domain", "bob@a,jvd=evil.org", "domain"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        std::string reason = refusal(r.key);
        CHECK(reason.find(r.reason_part) != std::string::npos);
        CHECK(reason.find('\n') == std::string::npos);
    }
}

TEST_CASE("address: length limits are inclusive") {
    const std::string local64(64, 'a');
    const std::string label63(63, 'b');
    const std::string domain255 = label63 + "." + label63 + "." + label63 + "." + label63;
    struct Row {
        std::string_view name;
        std::string key;
    };
    const Row rows[] = {
        {"local part of exactly 64", local64 + "@example.org"},
        {"label of exactly 63", "bob@" + label63 + ".org"},
        {"exactly 320 octets", local64 + "@" + domain255},
        {"320 octets plus brackets", "<" + local64 + "@" + domain255 + ">"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(refusal(r.key).empty());
    }
    CHECK((local64 + "@" + domain255).size() == 320);
}

TEST_CASE("address: case folding of the local part follows the policy") {
    struct Row {
        std::string_view name;
        bool case_sensitive;
        std::string a;
        std::string b;
        bool equal;
        std::string folded_a;
    };
    const Row rows[] = {
        {"insensitive: case differs", false, "Bob@Example.org", "bob@example.ORG", true, "bob"},
        {"insensitive: different users", false, "bob@example.org", "rob@example.org", false, "bob"},
        {"sensitive: case differs", true, "Bob@example.org", "bob@example.org", false, "Bob"},
        {"sensitive: domain case never matters", true, "Bob@EXAMPLE.org", "Bob@example.ORG", true,
         "Bob"},
        {"sensitive: same", true, "bob@example.org", "bob@example.org", true, "bob"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        AddressPolicy policy;
        policy.case_sensitive_local_part = r.case_sensitive;
        Address a = parsed(r.a, policy);
        Address b = parsed(r.b, policy);
        CHECK((a == b) == r.equal);
        CHECK(a.folded_local() == r.folded_a);
        CHECK(a.local() == std::string(r.a.substr(0, r.a.find('@'))));
    }
}

TEST_CASE("address: sub-address removal") {
    struct Row {
        std::string_view name;
        std::string delimiters;
        bool case_sensitive;
        std::string key;
        std::optional<std::string> base_key; // key() of without_subaddress()
        std::string tag;                     // subaddress()
    };
    const Row rows[] = {
        {"default +", "+", false, "bob+tag@example.org", "bob@example.org", "+tag"},
        {"no delimiter in the key", "+", false, "bob@example.org", std::nullopt, ""},
        {"only the first delimiter cuts", "+", false, "bob+a+b@example.org", "bob@example.org",
         "+a+b"},
        {"empty tag", "+", false, "bob+@example.org", "bob@example.org", "+"},
        {"delimiter at position 0", "+", false, "+tag@example.org", std::nullopt, ""},
        {"delimiter alone", "+", false, "+@example.org", std::nullopt, ""},
        {"other character is not a delimiter", "+", false, "bob-tag@example.org", std::nullopt, ""},
        {"several delimiters: the second one", "+-", false, "bob-tag@example.org",
         "bob@example.org", "-tag"},
        {"several delimiters: earliest wins", "+-", false, "bob-a+b@example.org", "bob@example.org",
         "-a+b"},
        {"several delimiters: earliest wins, other order", "-+", false, "bob+a-b@example.org",
         "bob@example.org", "+a-b"},
        {"empty delimiter set disables", "", false, "bob+tag@example.org", std::nullopt, ""},
        {"tag case kept, base folded", "+", false, "Bob+TAG@Example.org", "bob@example.org",
         "+TAG"},
        {"case-sensitive base", "+", true, "Bob+TAG@example.org", "Bob@example.org", "+TAG"},
        {"delimiter in the domain does not count", "-", false, "bob@mx-1.example.org", std::nullopt,
         ""},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        AddressPolicy policy{r.delimiters, r.case_sensitive};
        Address a = parsed(r.key, policy);
        auto base = a.without_subaddress();
        CHECK(base.has_value() == r.base_key.has_value());
        if (base && r.base_key) {
            CHECK(base->key() == *r.base_key);
            CHECK(base->domain() == a.domain());
            // The base keeps the policy: it has no further sub-address to remove.
            CHECK_FALSE(base->without_subaddress().has_value());
            CHECK(base->subaddress().empty());
            CHECK(base->local() + r.tag == a.local());
        }
        CHECK(a.subaddress() == r.tag);
    }
}

TEST_CASE("address: normalise_domain") {
    const std::string label63(63, 'b');
    const std::string domain255 = label63 + "." + label63 + "." + label63 + "." + label63;
    struct Row {
        std::string_view name;
        std::string in;
        std::optional<std::string> out;
    };
    const Row rows[] = {
        {"plain", "example.org", "example.org"},
        {"upper case", "EXAMPLE.ORG", "example.org"},
        {"trailing dot", "example.org.", "example.org"},
        {"blanks", " example.org\n", "example.org"},
        {"underscore tolerated", "_dmarc.example.org", "_dmarc.example.org"},
        {"UTF-8 label kept", "\xC3\xA9t\xC3\xA9.FR", "\xC3\xA9t\xC3\xA9.fr"},
        {"empty", "", std::nullopt},
        {"only a dot", ".", std::nullopt},
        {"two trailing dots", "example.org..", std::nullopt},
        {"empty label", "a..b", std::nullopt},
        {"leading hyphen", "-a.org", std::nullopt},
        {"trailing hyphen", "a-.org", std::nullopt},
        {"star", "*.example.org", std::nullopt},
        {"at sign", "a@b.org", std::nullopt},
        {"NUL", "a\0.org"s, std::nullopt},
        {"exactly 255", domain255, domain255},
        {"exactly 255 plus the root dot", domain255 + ".", domain255},
        {"257: valid labels, too long", domain255 + ".a", std::nullopt},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(normalise_domain(r.in) == r.out);
    }
}

} // namespace
