// MemoryDirectory: the answers slapd would give for scopes, filters, attribute selection,
// limits, missing bases, binds and modifications; and that it stays consistent under threads.
#include "vmaildir/auth/password.hpp"
#include "vmaildir/directory/ldif.hpp"
#include "vmaildir/directory/memory_directory.hpp"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

using namespace vmaildir;
using namespace std::chrono_literals;

namespace {

// The suffix entry dc=myhosting,dc=example is deliberately absent: test LDIF often omits it.
// user2's value is `slappasswd -h {SSHA} -s secret`.
const char* const fixture = R"(dn: o=hosting, dc=myhosting, dc=example
objectClass: organization
o: hosting

dn: o=domain1.example,o=hosting,dc=myhosting,dc=example
objectClass: organization
o: domain1.example

dn: mail=user1@domain1.example,o=domain1.example,o=hosting,dc=myhosting,dc=example
objectClass: CourierMailAccount
mail: user1@domain1.example
mailbox: domain1.example/user1/
cn: User One
cn;lang-de: Benutzer Eins
userPassword: cleartext-pw

dn: mail=user2@domain1.example,o=domain1.example,o=hosting,dc=myhosting,dc=example
objectClass: courierMailAccount
mail: User2@Domain1.Example
userPassword: {SSHA}IJLQ5SlAOPxeh8xCjxM9XJHk6llF2XcY

dn: mail=abuse@domain1.example, o=domain1.example, o=hosting, dc=myhosting, dc=example
objectClass: CourierMailAlias
mail: abuse@domain1.example
maildrop: postmaster

dn: cn=star,o=domain1.example,o=hosting,dc=myhosting,dc=example
objectClass: CourierMailAlias
mail: *
maildrop: nobody

dn: o=domain2.example,o=hosting,dc=myhosting,dc=example
objectClass: organization
o: domain2.example

dn: mail=user3@domain2.example,o=domain2.example,o=hosting,dc=myhosting,dc=example
objectClass: CourierMailAccount
mail: user3@domain2.example
userPassword: {NOSUCHSCHEME}abc
userPassword: second-pw

dn: mail=user4@domain2.example,o=domain2.example,o=hosting,dc=myhosting,dc=example
objectClass: CourierMailAccount
mail: user4@domain2.example
userPassword: {NOSUCHSCHEME}abc

dn: mail=user5@domain2.example,o=domain2.example,o=hosting,dc=myhosting,dc=example
objectClass: CourierMailAccount
mail: user5@domain2.example
userPassword:

dn: mail=user6@domain2.example,o=domain2.example,o=hosting,dc=myhosting,dc=example
objectClass: CourierMailAccount
mail: user6@domain2.example
)";

const std::string suffix = "dc=myhosting,dc=example";
const std::string hosting = "o=hosting," + suffix;
const std::string domain1 = "o=domain1.example," + hosting;
const std::string domain2 = "o=domain2.example," + hosting;
const std::string user1 = "mail=user1@domain1.example," + domain1;

MemoryDirectory make_directory() {
    std::istringstream in(fixture);
    return MemoryDirectory(parse_ldif(in, "fixture"), "ldif:fixture", vmaildir::password_matches);
}

Deadline soon() {
    return Deadline::after(5s);
}
Deadline past() {
    return Deadline(Clock::now() - 1s);
}

// The value of each entry's first RDN ("user1@domain1.example"), in answer order.
std::vector<std::string> names(const std::vector<Entry>& entries) {
    std::vector<std::string> out;
    for (const Entry& e : entries) {
        const std::string& dn = e.dn();
        std::size_t eq = dn.find('=');
        out.push_back(dn.substr(eq + 1, dn.find(',') - eq - 1));
    }
    return out;
}

// "name=v1|v2 name=v" in stored order.
std::string attributes(const Entry& entry) {
    std::string out;
    for (const Entry::Attribute& a : entry.attributes()) {
        if (!out.empty())
            out += ' ';
        out += a.name + "=";
        for (std::size_t i = 0; i < a.values.size(); ++i)
            out += (i ? "|" : "") + a.values[i];
    }
    return out;
}

using Names = std::vector<std::string>;

} // namespace

TEST_CASE("MemoryDirectory search: scopes and filters") {
    MemoryDirectory directory = make_directory();
    const Filter all = Filter::all_of({});
    struct Row {
        const char* name;
        std::string base;
        Scope scope;
        Filter filter;
        Names expected;
    };
    const Row rows[] = {
        {"subtree from a suffix that has no entry",
         suffix,
         Scope::subtree,
         all,
         {"hosting", "domain1.example", "user1@domain1.example", "user2@domain1.example",
          "abuse@domain1.example", "star", "domain2.example", "user3@domain2.example",
          "user4@domain2.example", "user5@domain2.example", "user6@domain2.example"}},
        {"subtree from the empty DN",
         "",
         Scope::subtree,
         Filter::equals("objectClass", "organization"),
         {"hosting", "domain1.example", "domain2.example"}},
        {"subtree from a domain includes the domain",
         domain1,
         Scope::subtree,
         all,
         {"domain1.example", "user1@domain1.example", "user2@domain1.example",
          "abuse@domain1.example", "star"}},
        {"one level below a domain",
         domain1,
         Scope::one_level,
         all,
         {"user1@domain1.example", "user2@domain1.example", "abuse@domain1.example", "star"}},
        {"one level below hosting",
         hosting,
         Scope::one_level,
         all,
         {"domain1.example", "domain2.example"}},
        {"one level below the missing suffix", suffix, Scope::one_level, all, {"hosting"}},
        {"base scope", user1, Scope::base, all, {"user1@domain1.example"}},
        {"base scope, DN in another case and with spaces",
         "MAIL=User1@Domain1.Example , O=domain1.example,o=hosting, DC=myhosting,dc=example",
         Scope::base, all, Names{"user1@domain1.example"}},
        {"base scope on a naming context without an entry", suffix, Scope::base, all, {}},
        {"base scope on an entry stored with spaces in its DN",
         "mail=abuse@domain1.example," + domain1,
         Scope::base,
         all,
         {"abuse@domain1.example"}},
        {"base scope with a non-matching filter",
         user1,
         Scope::base,
         Filter::equals("mail", "other@domain1.example"),
         {}},
        {"equality ignores the value's case",
         suffix,
         Scope::subtree,
         Filter::equals("mail", "USER2@domain1.example"),
         {"user2@domain1.example"}},
        {"equality ignores the attribute name's case",
         suffix,
         Scope::subtree,
         Filter::equals("MAIL", "user1@DOMAIN1.example"),
         {"user1@domain1.example"}},
        {"objectClass matches case-insensitively",
         domain1,
         Scope::subtree,
         Filter::equals("objectclass", "couriermailaccount"),
         {"user1@domain1.example", "user2@domain1.example"}},
        {"presence",
         suffix,
         Scope::subtree,
         Filter::present("maildrop"),
         {"abuse@domain1.example", "star"}},
        {"and",
         suffix,
         Scope::subtree,
         Filter::all_of({Filter::equals("objectClass", "CourierMailAlias"),
                         Filter::equals("maildrop", "postmaster")}),
         {"abuse@domain1.example"}},
        {"or",
         suffix,
         Scope::subtree,
         Filter::any_of({Filter::equals("mail", "user1@domain1.example"),
                         Filter::equals("mail", "user3@domain2.example")}),
         {"user1@domain1.example", "user3@domain2.example"}},
        {"not",
         domain2,
         Scope::one_level,
         Filter::negate(Filter::present("userPassword")),
         {"user6@domain2.example"}},
        {"an empty or matches nothing", suffix, Scope::subtree, Filter::any_of({}), {}},
        {"hostile key \"*\" matches only the literal value",
         suffix,
         Scope::subtree,
         Filter::equals("mail", "*"),
         {"star"}},
        {"hostile key \"*\" below a domain without the literal",
         domain2,
         Scope::subtree,
         Filter::equals("mail", "*"),
         {}},
        {"hostile key with filter syntax",
         suffix,
         Scope::subtree,
         Filter::equals("mail", "*)(objectClass=*"),
         {}},
        {"hostile key with a NUL byte",
         suffix,
         Scope::subtree,
         Filter::equals("mail", std::string("user1@domain1.example\0x", 23)),
         {}},
        {"hostile key as a whole filter",
         suffix,
         Scope::subtree,
         Filter::equals("mail", "(|(mail=*)(uid=*))"),
         {}},
        {"a key that is a DN selects nothing",
         suffix,
         Scope::subtree,
         Filter::equals("mail", user1),
         {}},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            SearchRequest request;
            request.base = row.base;
            request.scope = row.scope;
            request.filter = row.filter;
            auto result = directory.search(request, soon());
            REQUIRE_MESSAGE(result.is_found(), result.reason());
            CHECK(names(result.value()) == row.expected);
        }
    }
}

TEST_CASE("MemoryDirectory search: missing and malformed bases") {
    MemoryDirectory directory = make_directory();
    struct Row {
        const char* name;
        std::string base;
        bool may_be_missing;
        Outcome outcome;
        std::string reason; // a part of reason()
    };
    const Row rows[] = {
        {"missing domain, fixed base", "o=nosuch.example," + hosting, false, Outcome::temp_fail,
         "no such object: o=nosuch.example,o=hosting"},
        {"missing domain, key-dependent base", "o=nosuch.example," + hosting, true, Outcome::found,
         ""},
        {"outside every naming context, fixed base", "dc=other,dc=example", false,
         Outcome::temp_fail, "no such object"},
        {"outside every naming context, key-dependent base", "dc=other,dc=example", true,
         Outcome::found, ""},
        {"below a leaf", "cn=x," + user1, true, Outcome::found, ""},
        {"malformed base is an error even when it may be missing", "not a dn", true,
         Outcome::temp_fail, "invalid DN syntax"},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            SearchRequest request;
            request.base = row.base;
            request.base_may_be_missing = row.may_be_missing;
            auto result = directory.search(request, soon());
            CHECK(result.outcome() == row.outcome);
            if (result.is_found())
                CHECK(result.value().empty());
            CHECK_MESSAGE(result.reason().find(row.reason) != std::string::npos, result.reason());
        }
    }
}

TEST_CASE("MemoryDirectory search: attribute selection") {
    MemoryDirectory directory = make_directory();
    const std::string all =
        "objectClass=CourierMailAccount mail=user1@domain1.example mailbox=domain1.example/user1/ "
        "cn=User One cn;lang-de=Benutzer Eins userPassword=cleartext-pw";
    struct Row {
        const char* name;
        std::vector<std::string> requested;
        std::string expected;
    };
    const Row rows[] = {
        {"none requested means all", {}, all},
        {"star means all", {"*"}, all},
        {"star with others means all", {"mail", "*"}, all},
        {"one attribute", {"mail"}, "mail=user1@domain1.example"},
        {"names compare case-insensitively and keep the stored spelling",
         {"MAILBOX", "objectclass"},
         "objectClass=CourierMailAccount mailbox=domain1.example/user1/"},
        {"a type selects its options", {"cn"}, "cn=User One cn;lang-de=Benutzer Eins"},
        {"an option selects only itself", {"cn;lang-de"}, "cn;lang-de=Benutzer Eins"},
        {"a prefix is not a type", {"c", "mai"}, ""},
        {"1.1 means no attributes", {"1.1"}, ""},
        {"an absent attribute", {"maildrop"}, ""},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            SearchRequest request;
            request.base = user1;
            request.scope = Scope::base;
            request.attributes = row.requested;
            auto result = directory.search(request, soon());
            REQUIRE(result.is_found());
            REQUIRE(result.value().size() == 1);
            CHECK(result.value()[0].dn() == user1);
            CHECK(attributes(result.value()[0]) == row.expected);
        }
    }
}

TEST_CASE("MemoryDirectory search: size limit and deadline") {
    MemoryDirectory directory = make_directory();
    struct Row {
        const char* name;
        Filter filter;
        std::size_t limit;
        Outcome outcome;
    };
    // Five entries below domain1 in the subtree.
    const Row rows[] = {
        {"no limit", Filter::all_of({}), 0, Outcome::found},
        {"limit equal to the matches", Filter::all_of({}), 5, Outcome::found},
        {"limit above the matches", Filter::all_of({}), 6, Outcome::found},
        {"limit below the matches", Filter::all_of({}), 4, Outcome::temp_fail},
        {"limit 1 with two matches", Filter::present("userPassword"), 1, Outcome::temp_fail},
        {"limit 1 with one match", Filter::equals("mail", "user1@domain1.example"), 1,
         Outcome::found},
        {"limit counts matches, not scanned entries", Filter::present("maildrop"), 2,
         Outcome::found},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            SearchRequest request;
            request.base = domain1;
            request.filter = row.filter;
            request.size_limit = row.limit;
            auto result = directory.search(request, soon());
            CHECK(result.outcome() == row.outcome);
            if (result.is_temp_fail())
                CHECK(result.reason().rfind("size limit exceeded", 0) == 0);
        }
    }
    SUBCASE("an expired deadline is a timeout") {
        SearchRequest request;
        request.base = domain1;
        auto result = directory.search(request, past());
        CHECK(result.is_temp_fail());
        CHECK(result.reason() == "timeout");
    }
}

TEST_CASE("MemoryDirectory check_bind") {
    MemoryDirectory directory = make_directory();
    struct Row {
        const char* name;
        std::string dn;
        std::string password;
        Outcome outcome;
        bool accepted;
    };
    const Row rows[] = {
        {"cleartext, right password", user1, "cleartext-pw", Outcome::found, true},
        {"cleartext, wrong password", user1, "cleartext-PW", Outcome::found, false},
        {"cleartext, prefix of the password", user1, "cleartext", Outcome::found, false},
        {"{SSHA}, right password", "mail=user2@domain1.example," + domain1, "secret",
         Outcome::found, true},
        {"{SSHA}, wrong password", "mail=user2@domain1.example," + domain1, "Secret",
         Outcome::found, false},
        {"DN spelled differently", "Mail=User1@domain1.example, " + domain1, "cleartext-pw",
         Outcome::found, true},
        {"empty password", user1, "", Outcome::found, false},
        {"empty password against an empty stored value", "mail=user5@domain2.example," + domain2,
         "", Outcome::found, false},
        {"missing DN", "mail=nobody@domain1.example," + domain1, "cleartext-pw", Outcome::found,
         false},
        {"entry without userPassword", "mail=user6@domain2.example," + domain2, "x", Outcome::found,
         false},
        {"an unknown scheme does not stop the next value", "mail=user3@domain2.example," + domain2,
         "second-pw", Outcome::found, true},
        {"only an unknown scheme", "mail=user4@domain2.example," + domain2, "abc", Outcome::found,
         false},
        {"the scheme tag is not a password", "mail=user4@domain2.example," + domain2,
         "{NOSUCHSCHEME}abc", Outcome::found, false},
        {"empty DN", "", "cleartext-pw", Outcome::found, false},
        {"malformed DN", "not a dn", "cleartext-pw", Outcome::temp_fail, false},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            auto result = directory.check_bind(row.dn, row.password, soon());
            REQUIRE_MESSAGE(result.outcome() == row.outcome, result.reason());
            if (result.is_found())
                CHECK(result.value() == row.accepted);
        }
    }
    SUBCASE("an expired deadline is a timeout") {
        auto result = directory.check_bind(user1, "cleartext-pw", past());
        CHECK(result.is_temp_fail());
        CHECK(result.reason() == "timeout");
    }
    SUBCASE("without a password matcher every bind is a temporary failure") {
        MemoryDirectory bare(directory.entries(), "bare");
        auto result = bare.check_bind(user1, "cleartext-pw", soon());
        CHECK(result.is_temp_fail());
        CHECK(result.reason().find("cannot check passwords") != std::string::npos);
    }
    SUBCASE("an empty password is refused even after the deadline") {
        auto result = directory.check_bind(user1, "", past());
        REQUIRE(result.is_found());
        CHECK_FALSE(result.value());
    }
}

TEST_CASE("MemoryDirectory modify") {
    using Op = Modification::Op;
    struct Row {
        const char* name;
        std::vector<Modification> changes;
        Outcome outcome;
        std::string expected; // the entry's attributes afterwards (unchanged on failure)
    };
    const std::string before = "objectClass=CourierMailAccount mail=user1@domain1.example "
                               "mailbox=domain1.example/user1/ cn=User One cn;lang-de=Benutzer "
                               "Eins userPassword=cleartext-pw";
    const Row rows[] = {
        {"replace",
         {{Op::replace, "userPassword", {"{SSHA}x"}}},
         Outcome::found,
         "objectClass=CourierMailAccount mail=user1@domain1.example "
         "mailbox=domain1.example/user1/ cn=User One cn;lang-de=Benutzer Eins "
         "userPassword={SSHA}x"},
        {"replace with no values removes",
         {{Op::replace, "USERPASSWORD", {}}},
         Outcome::found,
         "objectClass=CourierMailAccount mail=user1@domain1.example "
         "mailbox=domain1.example/user1/ cn=User One cn;lang-de=Benutzer Eins"},
        {"replace an absent attribute with no values",
         {{Op::replace, "maildrop", {}}},
         Outcome::found,
         before},
        {"replace creates",
         {{Op::replace, "maildrop", {"a", "b"}}},
         Outcome::found,
         before + " maildrop=a|b"},
        {"add to an attribute",
         {{Op::add, "mail", {"alias@domain1.example"}}},
         Outcome::found,
         "objectClass=CourierMailAccount mail=user1@domain1.example|alias@domain1.example "
         "mailbox=domain1.example/user1/ cn=User One cn;lang-de=Benutzer Eins "
         "userPassword=cleartext-pw"},
        {"add a new attribute",
         {{Op::add, "maildrop", {"x"}}},
         Outcome::found,
         before + " maildrop=x"},
        {"add an existing value (other case)",
         {{Op::add, "mail", {"USER1@domain1.example"}}},
         Outcome::temp_fail,
         before},
        {"add the same value twice",
         {{Op::add, "maildrop", {"x", "X"}}},
         Outcome::temp_fail,
         before},
        {"add without values", {{Op::add, "maildrop", {}}}, Outcome::temp_fail, before},
        {"remove an attribute",
         {{Op::remove, "cn", {}}},
         Outcome::found,
         "objectClass=CourierMailAccount mail=user1@domain1.example "
         "mailbox=domain1.example/user1/ cn;lang-de=Benutzer Eins userPassword=cleartext-pw"},
        {"remove values case-insensitively",
         {{Op::add, "maildrop", {"a", "b", "c"}}, {Op::remove, "maildrop", {"B", "a"}}},
         Outcome::found,
         before + " maildrop=c"},
        {"remove the last value removes the attribute",
         {{Op::remove, "cn", {"user one"}}},
         Outcome::found,
         "objectClass=CourierMailAccount mail=user1@domain1.example "
         "mailbox=domain1.example/user1/ cn;lang-de=Benutzer Eins userPassword=cleartext-pw"},
        {"remove an absent attribute", {{Op::remove, "maildrop", {}}}, Outcome::temp_fail, before},
        {"remove an absent value", {{Op::remove, "cn", {"nobody"}}}, Outcome::temp_fail, before},
        {"all or nothing",
         {{Op::replace, "userPassword", {"new"}}, {Op::remove, "maildrop", {"x"}}},
         Outcome::temp_fail,
         before},
        {"no changes", {}, Outcome::found, before},
        {"changes apply in order",
         {{Op::replace, "maildrop", {"a"}},
          {Op::add, "maildrop", {"b"}},
          {Op::remove, "maildrop", {"a"}}},
         Outcome::found,
         before + " maildrop=b"},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            MemoryDirectory directory = make_directory();
            auto result = directory.modify(user1, row.changes, soon());
            CHECK_MESSAGE(result.outcome() == row.outcome, result.reason());
            SearchRequest request;
            request.base = user1;
            request.scope = Scope::base;
            auto after = directory.search(request, soon());
            REQUIRE(after.is_found());
            REQUIRE(after.value().size() == 1);
            CHECK(attributes(after.value()[0]) == row.expected);
        }
    }
    SUBCASE("no such entry is not found") {
        MemoryDirectory directory = make_directory();
        auto result = directory.modify("mail=nobody@domain1.example," + domain1,
                                       {{Op::replace, "mail", {"x"}}}, soon());
        CHECK(result.is_not_found());
    }
    SUBCASE("the DN may be spelled differently") {
        MemoryDirectory directory = make_directory();
        auto result = directory.modify("MAIL=user1@domain1.example, " + domain1,
                                       {{Op::add, "maildrop", {"x"}}}, soon());
        CHECK(result.is_found());
    }
    SUBCASE("an expired deadline is a timeout and changes nothing") {
        MemoryDirectory directory = make_directory();
        auto result = directory.modify(user1, {{Op::add, "maildrop", {"x"}}}, past());
        CHECK(result.is_temp_fail());
        CHECK(result.reason() == "timeout");
        CHECK_FALSE(directory.entries()[2].has("maildrop"));
    }
}

TEST_CASE("MemoryDirectory put, erase, entries, describe") {
    MemoryDirectory directory({}, "ldif:/tmp/x.ldif");
    CHECK(directory.describe() == "ldif:/tmp/x.ldif");
    CHECK(directory.entries().empty());

    Entry a("cn=a,dc=x");
    a.add("cn", "a");
    Entry b("cn=b,dc=x");
    b.add("cn", "b");
    directory.put(a);
    directory.put(b);
    CHECK(names(directory.entries()) == Names{"a", "b"});

    SUBCASE("put replaces an entry with the same DN in place") {
        Entry a2("CN=A, DC=X");
        a2.add("cn", "A2");
        directory.put(a2);
        auto entries = directory.entries();
        REQUIRE(entries.size() == 2);
        CHECK(entries[0].dn() == "CN=A, DC=X");
        CHECK(entries[0].values("cn") == std::vector<std::string>{"A2"});
    }
    SUBCASE("erase") {
        CHECK(directory.erase("cn=A,dc=x"));
        CHECK_FALSE(directory.erase("cn=a,dc=x"));
        CHECK(names(directory.entries()) == Names{"b"});
        SearchRequest request;
        request.base = "dc=x";
        auto result = directory.search(request, soon());
        REQUIRE(result.is_found());
        CHECK(names(result.value()) == Names{"b"});
    }
    SUBCASE("entries() is a copy") {
        auto entries = directory.entries();
        entries.clear();
        CHECK(directory.entries().size() == 2);
    }
    SUBCASE("the constructor keeps the last of two entries with one DN") {
        Entry a2("cn=a, dc=x");
        a2.add("cn", "second");
        MemoryDirectory twice({a, b, a2});
        auto entries = twice.entries();
        REQUIRE(entries.size() == 2);
        CHECK(entries[0].values("cn") == std::vector<std::string>{"second"});
        CHECK(twice.describe() == "memory");
    }
}

TEST_CASE("MemoryDirectory under concurrent readers and writers") {
    MemoryDirectory directory = make_directory();
    const std::string toggled = "mail=temp@domain1.example," + domain1;
    std::atomic<bool> torn{false};
    std::atomic<int> failures{0};

    auto writer = [&](int id) {
        for (int i = 0; i < 200; ++i) {
            std::string n = std::to_string(id * 1000 + i);
            // Two attributes in one modify: a reader must never see them differ.
            auto r = directory.modify(user1,
                                      {{Modification::Op::replace, "counterA", {n}},
                                       {Modification::Op::replace, "counterB", {n}}},
                                      soon());
            if (!r.is_found())
                ++failures;
            if (i % 2 == 0) {
                Entry e(toggled);
                e.add("objectClass", "CourierMailAccount");
                e.add("mail", "temp@domain1.example");
                directory.put(std::move(e));
            } else {
                directory.erase(toggled);
            }
        }
    };
    auto reader = [&] {
        for (int i = 0; i < 300; ++i) {
            SearchRequest request;
            request.base = domain1;
            request.filter = Filter::any_of(
                {Filter::present("counterA"), Filter::equals("mail", "temp@domain1.example")});
            auto r = directory.search(request, soon());
            if (!r.is_found()) {
                ++failures;
                continue;
            }
            for (const Entry& e : r.value())
                if (e.values("counterA") != e.values("counterB"))
                    torn = true;
            auto bind = directory.check_bind(user1, "cleartext-pw", soon());
            if (!bind.is_found() || !bind.value())
                ++failures;
        }
    };

    std::vector<std::thread> threads;
    for (int w = 0; w < 2; ++w)
        threads.emplace_back(writer, w + 1);
    for (int r = 0; r < 4; ++r)
        threads.emplace_back(reader);
    for (std::thread& t : threads)
        t.join();

    CHECK_FALSE(torn.load());
    CHECK(failures.load() == 0);
    auto entries = directory.entries();
    CHECK(entries.size() == 11); // the toggled entry ends erased (199 is odd)
}
