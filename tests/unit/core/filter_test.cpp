// Filters as values (SPEC §2: "a key can never widen a search"): RFC 4515 escaping, the string
// form of nested trees, and in-memory evaluation with the same meaning.
#include "vmaildir/directory/entry.hpp"
#include "vmaildir/directory/filter.hpp"

#include <doctest/doctest.h>
#include <string>
#include <string_view>
#include <vector>

using vmaildir::Entry;
using vmaildir::escape_filter_value;
using vmaildir::Filter;

namespace {

using namespace std::string_literals;

TEST_CASE("filter: escape_filter_value (RFC 4515 §3)") {
    struct Row {
        std::string_view name;
        std::string value;
        std::string escaped;
    };
    const Row rows[] = {
        {"plain address", "bob@example.org", "bob@example.org"},
        {"empty", "", ""},
        {"star", "*", "\\2A"},
        {"open paren", "(", "\\28"},
        {"close paren", ")", "\\29"},
        {"backslash", "\\", "\\5C"},
        {"NUL", "\0"s, "\\00"},
        {"NUL inside", "a\0b"s, "a\\00b"},
        {"control byte", "a\nb", "a\\0Ab"},
        {"DEL", "\x7f", "\\7F"},
        {"UTF-8 bytes", "\xC3\xBC", "\\C3\\BC"},
        {"DN specials untouched", ",+=\"<>;#", ",+=\"<>;#"},
        {"already-escaped text is escaped again", "\\2a", "\\5C2a"},
        {"hostile breakout", "*)(objectClass=*", "\\2A\\29\\28objectClass=\\2A"},
        {"hostile OR injection", "x)(|(mail=*", "x\\29\\28|\\28mail=\\2A"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        std::string e = escape_filter_value(r.value);
        CHECK(e == r.escaped);
        // Whatever the value, the escaped form has no filter syntax left in it and is ASCII.
        for (char c : e) {
            auto u = static_cast<unsigned char>(c);
            CHECK(c != '(');
            CHECK(c != ')');
            CHECK(c != '*');
            CHECK(u >= 0x20);
            CHECK(u < 0x7f);
        }
    }
}

TEST_CASE("filter: to_string") {
    using F = Filter;
    struct Row {
        std::string_view name;
        Filter filter;
        std::string text;
    };
    const Row rows[] = {
        {"equality", F::equals("mail", "bob@example.org"), "(mail=bob@example.org)"},
        {"presence", F::present("objectClass"), "(objectClass=*)"},
        {"equality with a literal star is not presence", F::equals("mail", "*"), "(mail=\\2A)"},
        {"hostile value stays one value", F::equals("mail", "*)(objectClass=*"),
         "(mail=\\2A\\29\\28objectClass=\\2A)"},
        {"empty value", F::equals("mail", ""), "(mail=)"},
        {"AND of two",
         F::all_of({F::equals("objectClass", "JammMailAccount"), F::equals("mail", "a@b")}),
         "(&(objectClass=JammMailAccount)(mail=a@b))"},
        {"OR of two", F::any_of({F::equals("mail", "a@b"), F::equals("mail", "@b")}),
         "(|(mail=a@b)(mail=@b))"},
        {"NOT", F::negate(F::equals("delete", "TRUE")), "(!(delete=TRUE))"},
        {"single-operand AND unwrapped", F::all_of({F::equals("mail", "a@b")}), "(mail=a@b)"},
        {"single-operand OR unwrapped", F::any_of({F::present("mail")}), "(mail=*)"},
        {"empty AND is absolute true (RFC 4526)", F::all_of({}), "(&)"},
        {"empty OR is absolute false (RFC 4526)", F::any_of({}), "(|)"},
        {"nested and/or/not",
         F::all_of({F::equals("objectClass", "JammMailAlias"),
                    F::any_of({F::equals("mail", "a+b@c"), F::equals("mail", "a@c")}),
                    F::negate(F::any_of(
                        {F::equals("delete", "TRUE"), F::equals("accountActive", "FALSE")}))}),
         "(&(objectClass=JammMailAlias)(|(mail=a+b@c)(mail=a@c))"
         "(!(|(delete=TRUE)(accountActive=FALSE))))"},
        {"NOT of empty OR", F::negate(F::any_of({})), "(!(|))"},
        {"double negation kept", F::negate(F::negate(F::present("mail"))), "(!(!(mail=*)))"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(r.filter.to_string() == r.text);
    }
}

TEST_CASE("filter: kind") {
    CHECK(Filter::equals("a", "b").kind() == Filter::Kind::equals);
    CHECK(Filter::present("a").kind() == Filter::Kind::present);
    CHECK(Filter::all_of({}).kind() == Filter::Kind::all_of);
    CHECK(Filter::any_of({}).kind() == Filter::Kind::any_of);
    CHECK(Filter::negate(Filter::present("a")).kind() == Filter::Kind::negate);
}

TEST_CASE("filter: matches") {
    Entry bob("mail=bob@example.org,jvd=example.org,o=hosting");
    bob.add("objectClass", "top");
    bob.add("objectClass", "JammMailAccount");
    bob.add("mail", "Bob@Example.org");
    bob.add("accountActive", "TRUE");
    bob.add("delete", "FALSE");
    bob.add("cn", "Bob *");

    Entry star("mail=\\2A@example.org,jvd=example.org,o=hosting");
    star.add("objectClass", "JammMailAlias");
    star.add("mail", "*");

    Entry empty_value("cn=x");
    empty_value.add("description", "");

    using F = Filter;
    struct Row {
        std::string_view name;
        const Entry& entry;
        Filter filter;
        bool match;
    };
    const Row rows[] = {
        {"equality, same case", bob, F::equals("mail", "Bob@Example.org"), true},
        {"equality ignores value case", bob, F::equals("mail", "bob@example.ORG"), true},
        {"equality ignores attribute name case", bob, F::equals("MAIL", "bob@example.org"), true},
        {"objectClass case-insensitive", bob, F::equals("objectclass", "jammmailaccount"), true},
        {"second of several values", bob, F::equals("objectClass", "JammMailAccount"), true},
        {"equality, other value", bob, F::equals("mail", "rob@example.org"), false},
        {"equality, prefix is not a match", bob, F::equals("mail", "bob@example"), false},
        {"equality, absent attribute", bob, F::equals("uid", "bob"), false},
        {"literal star does not match everything", bob, F::equals("mail", "*"), false},
        {"literal star matches a literal star", star, F::equals("mail", "*"), true},
        {"star inside a value is literal", bob, F::equals("cn", "Bob*"), false},
        {"star inside a value matches itself", bob, F::equals("cn", "Bob *"), true},
        {"hostile value matches nothing", bob, F::equals("mail", "*)(objectClass=*"), false},
        {"presence", bob, F::present("mail"), true},
        {"presence, attribute name case", bob, F::present("ACCOUNTACTIVE"), true},
        {"presence, absent", bob, F::present("uid"), false},
        {"presence, empty value counts", empty_value, F::present("description"), true},
        {"empty value equality", empty_value, F::equals("description", ""), true},
        {"empty AND is true", bob, F::all_of({}), true},
        {"empty OR is false", bob, F::any_of({}), false},
        {"AND, all true", bob,
         F::all_of({F::equals("objectClass", "JammMailAccount"), F::present("mail")}), true},
        {"AND, one false", bob,
         F::all_of({F::equals("objectClass", "JammMailAccount"), F::present("uid")}), false},
        {"OR, one true", bob, F::any_of({F::present("uid"), F::present("mail")}), true},
        {"OR, none true", bob, F::any_of({F::present("uid"), F::present("quota")}), false},
        {"NOT of true", bob, F::negate(F::present("mail")), false},
        {"NOT of false", bob, F::negate(F::present("uid")), true},
        {"NOT of empty OR", bob, F::negate(F::any_of({})), true},
        {"nested live-account filter", bob,
         F::all_of({F::equals("objectClass", "JammMailAccount"),
                    F::any_of({F::equals("mail", "bob+tag@example.org"),
                               F::equals("mail", "bob@example.org")}),
                    F::negate(F::any_of(
                        {F::equals("delete", "TRUE"), F::equals("accountActive", "FALSE")}))}),
         true},
        {"nested, NOT excludes the entry", star,
         F::all_of({F::equals("objectClass", "JammMailAlias"), F::negate(F::equals("mail", "*"))}),
         false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(r.filter.matches(r.entry) == r.match);
    }
}

} // namespace
