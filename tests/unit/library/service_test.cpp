// The Service over scripted in-memory directories: ambiguity and malformed
// entries, the cache, expansion limits, authentication modes, password
// changes, actors and the consistency check.
#include "support/fixtures.hpp"
#include "vmaildir/auth/login_stamp.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/resolve/maps.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <thread>

using namespace vmaildir;
using test::Fixture;
using Mode = test::ScriptedDirectory::Mode;

namespace {

Entry alias_entry(const std::string& dn, const std::string& mail,
                  std::vector<std::string> drops, const char* active = "TRUE") {
    Entry e(dn);
    e.add("objectClass", "JammMailAlias");
    e.add("mail", mail);
    for (auto& d : drops)
        e.add("maildrop", d);
    e.add("accountActive", active);
    e.add("delete", "FALSE");
    return e;
}

const std::string org = "jvd=example.org,o=hosting,dc=example,dc=com";

/// Replaces the values of one attribute of the entry `dn` in the fixture's directory.
void replace_values(Fixture& f, const std::string& dn, const std::string& attribute,
                    std::vector<std::string> values) {
    for (Entry e : f.memory->entries())
        if (e.dn() == dn) {
            e.replace(attribute, std::move(values));
            f.memory->put(e);
        }
}

} // namespace

TEST_CASE("several live entries where one is expected: temporary failure") {
    SUBCASE("two aliases") {
        Fixture f("jamm");
        f.memory->put(alias_entry("cn=info2," + org, "info@example.org", {"carol@example.net"}));
        auto r = f.service->lookup(MapName::alias, "info@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("where one is expected") != std::string::npos);
        // Other addresses of the domain are not affected.
        CHECK(f.service->lookup(MapName::alias, "bob@example.org").is_found());
    }
    SUBCASE("a second, inactive entry is no ambiguity") {
        Fixture f("jamm");
        f.memory->put(
            alias_entry("cn=info2," + org, "info@example.org", {"carol@example.net"}, "FALSE"));
        CHECK(f.service->lookup(MapName::alias, "info@example.org").is_found());
    }
    SUBCASE("two domain entries") {
        Fixture f("jamm");
        Entry d("jvd=example.org2,o=hosting,dc=example,dc=com");
        d.add("objectClass", "JammVirtualDomain");
        d.add("jvd", "example.org2");
        d.add("jvd", "example.org");
        f.memory->put(d);
        CHECK(f.service->lookup(MapName::domain, "example.org").is_temp_fail());
        CHECK(f.service->lookup(MapName::alias, "alice@example.org").is_temp_fail());
    }
    SUBCASE("the catch-all twice") {
        Fixture f("jamm");
        f.memory->put(alias_entry("cn=catchall2,jvd=example.net,o=hosting,dc=example,dc=com",
                                  "@example.net", {"x@elsewhere.test"}));
        CHECK(f.service->lookup(MapName::alias, "anyone@example.net").is_temp_fail());
        CHECK(f.service->lookup(MapName::alias, "carol@example.net").is_found());
    }
}

TEST_CASE("malformed entries are temporary failures, never guesses") {
    struct Case {
        const char* name;
        const char* attribute;
        const char* value;
    };
    for (const Case& c : {Case{"flag not boolean", "accountActive", "maybe"},
                          Case{"second flag value", "accountActive", "TRUE"},
                          Case{"uid not a number", "uidNumber", "five"}}) {
        CAPTURE(c.name);
        Fixture f("jamm");
        auto entries = f.memory->entries();
        for (Entry e : entries)
            if (e.dn() == "mail=alice@example.org," + org) {
                if (std::string(c.name) == "second flag value")
                    e.add(c.attribute, c.value);
                else
                    e.replace(c.attribute, {c.value});
                f.memory->put(e);
            }
        auto r = f.service->lookup(MapName::alias, "alice@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("malformed entry") != std::string::npos);
    }
    SUBCASE("a malformed domain entry") {
        Fixture f("jamm");
        for (Entry e : f.memory->entries())
            if (e.dn() == org) {
                e.replace("delete", {"nope"});
                f.memory->put(e);
            }
        CHECK(f.service->lookup(MapName::domain, "example.org").is_temp_fail());
        CHECK(f.service->lookup(MapName::alias, "alice@example.org").is_temp_fail());
    }
    SUBCASE("an account without uid and no static_uid") {
        Fixture f("jamm");
        replace_values(f, "mail=alice@example.org," + org, "uidNumber", {});
        CHECK(f.service->lookup(MapName::uid, "alice@example.org").is_temp_fail());
        Config c = test::example_config("jamm");
        c.static_uid = 5000;
        Fixture g("jamm", c);
        CHECK(g.service->lookup(MapName::uid, "bob@example.org").value() ==
              std::vector<std::string>{"5000"});
    }
}

TEST_CASE("expansion limits") {
    SUBCASE("recursion_limit") {
        Config c = test::example_config("jamm");
        c.recursion_limit = 1;
        Fixture f("jamm", c);
        CHECK(f.service->lookup(MapName::recipient, "info@example.org").is_found());
        auto r = f.service->lookup(MapName::recipient, "sales@example.org"); // two levels
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("recursion_limit") != std::string::npos);
    }
    SUBCASE("expansion_limit") {
        Config c = test::example_config("jamm");
        c.expansion_limit = 1;
        Fixture f("jamm", c);
        CHECK(f.service->lookup(MapName::recipient, "alice@example.org").is_found());
        auto r = f.service->lookup(MapName::recipient, "info@example.org"); // two addresses
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("expansion_limit") != std::string::npos);
    }
    SUBCASE("a loop with a way out is no failure") {
        Fixture f("jamm");
        f.memory->put(alias_entry("mail=ring@example.org," + org, "ring@example.org",
                                  {"ring2@example.org", "bob@example.org"}));
        f.memory->put(alias_entry("mail=ring2@example.org," + org, "ring2@example.org",
                                  {"ring@example.org"}));
        auto r = f.service->lookup(MapName::recipient, "ring@example.org");
        REQUIRE(r.is_found());
        CHECK(r.value() == std::vector<std::string>{"bob@example.org"});
    }
}

TEST_CASE("cache: positive and negative answers are reused, failures never") {
    Config c = test::example_config("jamm");
    c.cache = CacheSettings{std::chrono::seconds(60), std::chrono::seconds(60),
                            std::chrono::seconds(0), 1000};
    Fixture f("jamm", c);
    REQUIRE(f.service->lookup(MapName::alias, "alice@example.org").is_found());
    REQUIRE(f.service->lookup(MapName::alias, "nobody@example.org").is_not_found());
    int searches = f.scripted->searches.load();
    f.scripted->mode = Mode::temp_fail;
    CHECK(f.service->lookup(MapName::alias, "alice@example.org").is_found());
    CHECK(f.service->lookup(MapName::alias, "nobody@example.org").is_not_found());
    CHECK(f.scripted->searches.load() == searches); // all from the cache
    // Answers are cached by the key as received (the alias answer quotes it back).
    CHECK(f.service->lookup(MapName::alias, "ALICE@example.org").is_temp_fail());
    CHECK(f.service->lookup(MapName::alias, "bob@example.org").is_temp_fail());
    f.scripted->mode = Mode::pass;
    CHECK(f.service->lookup(MapName::alias, "bob@example.org").is_found()); // not cached
    // Logins never come from the answer cache (only from the login cache, below).
    Config strict = c;
    strict.auth.cache_ttl = std::chrono::seconds(0);
    Fixture g("jamm", strict);
    REQUIRE(g.service->lookup(MapName::mailbox, "alice@example.org").is_found());
    CHECK(g.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
    g.scripted->mode = Mode::temp_fail;
    CHECK(g.service->authenticate("alice@example.org", "alice-pw", "imap").is_temp_fail());
}

TEST_CASE("login cache: the same password again within auth_cache_ttl, successes only") {
    Config c = test::example_config("jamm");
    c.auth.cache_ttl = std::chrono::seconds(60);
    c.cache.max_entries = 1000; // also the login cache's bound (the fixtures turn it off)
    Fixture f("jamm", c);
    REQUIRE(f.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
    REQUIRE(f.service->authenticate("bob@example.org", "wrong", "imap").is_not_found());
    f.scripted->mode = Mode::temp_fail; // from here on the directory answers nothing
    CHECK(f.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
    // One entry per address, however the login is spelled.
    CHECK(f.service->authenticate("ALICE@Example.ORG", "alice-pw", "pop3").is_found());
    // Another password, a failed login, an unseen account: the directory decides.
    CHECK(f.service->authenticate("alice@example.org", "alice-pw2", "imap").is_temp_fail());
    CHECK(f.service->authenticate("bob@example.org", "wrong", "imap").is_temp_fail());
    CHECK(f.service->authenticate("bob@example.org", "bob-pw", "imap").is_temp_fail());
    CHECK(f.service->authenticate("alice@example.org", "", "imap").is_not_found());

    SUBCASE("the account's service flags still apply to a cached login") {
        Config cc = test::example_config("courier");
        cc.cache.max_entries = 1000;
        Fixture g("courier", cc);
        REQUIRE(g.service->authenticate("noimap@example.org", "noimap-pw", "pop3").is_found());
        g.scripted->mode = Mode::temp_fail;
        CHECK(g.service->authenticate("noimap@example.org", "noimap-pw", "pop3").is_found());
        CHECK(g.service->authenticate("noimap@example.org", "noimap-pw", "imap").is_not_found());
    }
    SUBCASE("a password change through vmaildir ends the old password at once") {
        f.scripted->mode = Mode::pass;
        REQUIRE(f.service->change_password("alice@example.org", "alice-pw", "alice-new").is_found());
        CHECK(f.service->authenticate("alice@example.org", "alice-pw", "imap").is_not_found());
        CHECK(f.service->authenticate("alice@example.org", "alice-new", "imap").is_found());
    }
    SUBCASE("a touched auth_cache_stamp makes every process forget what it verified") {
        char dir[] = "/tmp/vmaildir-stamp-XXXXXX";
        REQUIRE(mkdtemp(dir));
        Config stamped = c;
        stamped.auth.cache_stamp = std::string(dir) + "/login-cache.stamp";
        Fixture one("jamm", stamped), two("jamm", stamped); // two processes of one host
        REQUIRE(one.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        one.scripted->mode = Mode::temp_fail;
        CHECK(one.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        // The other one changes alice's password: the stamp tells this one.
        REQUIRE(two.service->change_password("alice@example.org", "alice-pw", "new").is_found());
        CHECK(one.service->authenticate("alice@example.org", "alice-pw", "imap").is_temp_fail());
        one.scripted->mode = Mode::pass;
        REQUIRE(one.service->authenticate("bob@example.org", "bob-pw", "imap").is_found());
        one.scripted->mode = Mode::temp_fail;
        CHECK(one.service->authenticate("bob@example.org", "bob-pw", "imap").is_found());
        std::string problem;
        REQUIRE(touch_login_stamp(stamped.auth.cache_stamp, problem)); // what vmaildir does
        CHECK(one.service->authenticate("bob@example.org", "bob-pw", "imap").is_temp_fail());
        CHECK(touch_login_stamp("/nonexistent/dir/stamp", problem) == false);
        CHECK(problem.find("/nonexistent/dir/stamp") != std::string::npos);
        std::filesystem::remove_all(dir);
    }
    SUBCASE("an expired login serves only within auth_cache_stale_ttl, not cache_stale_ttl") {
        Config lookups_only = c;
        lookups_only.auth.cache_ttl = std::chrono::milliseconds(200);
        lookups_only.cache.stale_ttl = std::chrono::seconds(3600);
        Fixture h("jamm", lookups_only);
        REQUIRE(h.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        h.scripted->mode = Mode::temp_fail;
        CHECK(h.service->authenticate("alice@example.org", "alice-pw", "imap").is_temp_fail());

        Config short_ttl = c;
        short_ttl.auth.cache_ttl = std::chrono::milliseconds(200);
        short_ttl.auth.cache_stale_ttl = std::chrono::seconds(3600);
        Fixture g("jamm", short_ttl);
        REQUIRE(g.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        int searches = g.scripted->searches.load();
        CHECK(g.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        CHECK(g.scripted->searches.load() > searches); // expired: the directory was asked
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        g.scripted->mode = Mode::temp_fail;
        CHECK(g.service->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        CHECK(g.service->authenticate("alice@example.org", "other", "imap").is_temp_fail());
    }
}

TEST_CASE("cache: stale answers only within cache_stale_ttl, only while failing") {
    Config c = test::example_config("jamm");
    c.cache = CacheSettings{std::chrono::seconds(1), std::chrono::seconds(1),
                            std::chrono::seconds(3600), 1000};
    Fixture f("jamm", c);
    REQUIRE(f.service->lookup(MapName::alias, "alice@example.org").is_found());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    f.scripted->mode = Mode::temp_fail;
    CHECK(f.service->lookup(MapName::alias, "alice@example.org").is_found()); // stale
    CHECK(f.service->lookup(MapName::alias, "bob@example.org").is_temp_fail()); // never seen

    Config strict = c;
    strict.cache.stale_ttl = std::chrono::seconds(0);
    Fixture g("jamm", strict);
    REQUIRE(g.service->lookup(MapName::alias, "alice@example.org").is_found());
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
    g.scripted->mode = Mode::temp_fail;
    CHECK(g.service->lookup(MapName::alias, "alice@example.org").is_temp_fail());
}

TEST_CASE("authentication over the example directories") {
    struct Case {
        const char* preset;
        const char* login;
        const char* password;
        const char* service;
        AuthMethod method;
        Outcome outcome;
    };
    const auto bind = AuthMethod::bind, compare = AuthMethod::compare;
    for (const Case& c : {
             Case{"jamm", "alice@example.org", "alice-pw", "imap", bind, Outcome::found},
             Case{"jamm", "alice@example.org", "alice-pw", "imap", compare, Outcome::found},
             Case{"jamm", "frank@example.org", "frank-pw", "pop3", compare, Outcome::found},
             Case{"jamm", "alice@example.org", "bob-pw", "imap", compare, Outcome::not_found},
             Case{"jamm", "alice", "alice-pw", "imap", compare, Outcome::not_found},
             Case{"jamm", "dave@example.org", "dave-pw", "imap", bind, Outcome::not_found},
             Case{"jamm", "gina@disabled.test", "gina-pw", "imap", bind, Outcome::not_found},
             Case{"courier", "noimap@example.org", "noimap-pw", "IMAP", bind, Outcome::not_found},
             Case{"courier", "noimap@example.org", "noimap-pw", "pop3", bind, Outcome::found},
             Case{"mailrouter", "carol@example.net", "carol-pw", "imap", compare, Outcome::found},
         }) {
        CAPTURE(c.preset);
        CAPTURE(c.login);
        CAPTURE(c.password);
        Config config = test::example_config(c.preset);
        config.auth.method = c.method;
        Fixture f(c.preset, config);
        auto r = f.service->authenticate(c.login, c.password, c.service);
        CHECK_MESSAGE(r.outcome() == c.outcome, r.reason());
    }
    SUBCASE("default_domain completes a bare login") {
        Config config = test::example_config("jamm");
        config.auth.default_domain = "example.org";
        Fixture f("jamm", config);
        CHECK(f.service->authenticate("alice", "alice-pw", "imap").is_found());
        CHECK(f.service->account("bob").is_found());
    }
    SUBCASE("stored values vmaildir cannot check are directory trouble") {
        for (const char* stored : {"alice-pw", "{ARGON2}$argon2id$v=19$m=65536$xyz"}) {
            CAPTURE(stored);
            Config config = test::example_config("jamm");
            config.auth.method = AuthMethod::compare;
            Fixture f("jamm", config);
            replace_values(f, "mail=alice@example.org," + org, "userPassword", {stored});
            auto r = f.service->authenticate("alice@example.org", "alice-pw", "imap");
            CHECK(r.is_temp_fail()); // never "wrong password"
        }
    }
    SUBCASE("cleartext only when allowed") {
        Config config = test::example_config("jamm");
        config.auth.method = AuthMethod::compare;
        config.auth.allow_cleartext = true;
        Fixture f("jamm", config);
        replace_values(f, "mail=alice@example.org," + org, "userPassword", {"plain-pw"});
        CHECK(f.service->authenticate("alice@example.org", "plain-pw", "imap").is_found());
        CHECK(f.service->authenticate("alice@example.org", "x", "imap").is_not_found());
    }
    SUBCASE("no password to be seen: refused (none set, or bind_dn may not read it)") {
        Config config = test::example_config("jamm");
        config.auth.method = AuthMethod::compare;
        Fixture f("jamm", config);
        replace_values(f, "mail=alice@example.org," + org, "userPassword", {});
        auto r = f.service->authenticate("alice@example.org", "alice-pw", "imap");
        // As a bind would be refused (account add --no-password: cannot log in); the reason
        // names the other cause, which `vmaildir check` reports for the whole directory.
        CHECK(r.is_not_found());
        CHECK(r.reason().find("may not read it") != std::string::npos);
    }
}

TEST_CASE("password change: self only, hashed with the configured scheme") {
    Config config = test::example_config("jamm");
    config.auth.scheme = PasswordScheme::ssha512;
    Fixture f("jamm", config);
    auto r = f.service->change_password("bob@example.org", "bob-pw", "bob-new");
    REQUIRE_MESSAGE(r.is_found(), r.reason());
    CHECK(f.service->authenticate("bob@example.org", "bob-new", "imap").is_found());
    CHECK(f.service->authenticate("bob@example.org", "bob-pw", "imap").is_not_found());
    for (const Entry& e : f.memory->entries())
        if (e.dn() == "mail=bob@example.org," + org)
            CHECK(e.values("userPassword").front().rfind("{SSHA512}", 0) == 0);
    CHECK(f.service->change_password("bob@example.org", "wrong", "x").is_not_found());
    CHECK(f.service->change_password("bob@example.org", "bob-new", "").is_not_found());
    CHECK(f.service->change_password("info@example.org", "x", "y").is_not_found());
    f.scripted->mode = Mode::temp_fail;
    CHECK(f.service->change_password("bob@example.org", "bob-new", "z").is_temp_fail());
}

TEST_CASE("actors: site admins and domain postmasters per layout") {
    SUBCASE("jamm: roleOccupant, configured site admins") {
        Config config = test::example_config("jamm");
        config.site_admins = {"cn=siteadmin,dc=example,dc=com"};
        Fixture f("jamm", config);
        auto alice = f.service->actor("mail=alice@example.org," + org);
        REQUIRE(alice.is_found());
        CHECK_FALSE(alice.value().site_admin);
        CHECK(alice.value().administered_domains == std::vector<std::string>{"example.org"});
        CHECK(alice.value().address == "alice@example.org");
        auto admin = f.service->actor("CN=SiteAdmin, dc=example,dc=com");
        REQUIRE(admin.is_found());
        CHECK(admin.value().site_admin);
        auto bob = f.service->actor("mail=bob@example.org," + org);
        CHECK(bob.value().administered_domains.empty());
        // The decision follows: alice may reset bob's password, bob may not reset alice's.
        Target t{"example.org", true, true, "mail=bob@example.org," + org, "bob@example.org"};
        CHECK(decide(alice.value(), Action::set_password, t, config.acl).allowed);
        Target ta{"example.org", true, true, "mail=alice@example.org," + org,
                  "alice@example.org"};
        CHECK_FALSE(decide(bob.value(), Action::set_password, ta, config.acl).allowed);
    }
    SUBCASE("mailrouter: admin groups and uid=postmaster") {
        Fixture f("mailrouter");
        auto admin = f.service->actor("cn=siteadmin,dc=example,dc=com");
        REQUIRE(admin.is_found());
        CHECK(admin.value().site_admin);
        auto carol = f.service->actor("uid=carol,dc=example.net,o=hosting,dc=example,dc=com");
        REQUIRE(carol.is_found());
        CHECK(carol.value().administered_domains == std::vector<std::string>{"example.net"});
        auto pm = f.service->actor("uid=postmaster,dc=example.org,o=hosting,dc=example,dc=com");
        REQUIRE(pm.is_found());
        CHECK(pm.value().administered_domains == std::vector<std::string>{"example.org"});
    }
    SUBCASE("directory trouble") {
        Fixture f("jamm");
        f.scripted->mode = Mode::temp_fail;
        CHECK(f.service->actor("mail=alice@example.org," + org).is_temp_fail());
        CHECK(f.service->actor("").is_found()); // anonymous needs no directory
    }
}

TEST_CASE("enumeration lists live accounts of live domains") {
    for (const auto& [preset, expected] :
         std::vector<std::pair<std::string, std::vector<std::string>>>{
             {"jamm", {"alice@example.org", "bob@example.org", "frank@example.org",
                       "carol@example.net"}},
             {"courier", {"alice@example.org", "bob@example.org", "frank@example.org",
                          "noimap@example.org", "carol@example.net"}}}) {
        CAPTURE(preset);
        Fixture f(preset);
        auto r = f.service->accounts();
        REQUIRE(r.is_found());
        std::vector<std::string> got;
        for (const Account& a : r.value())
            got.push_back(a.address);
        CHECK(got == expected);
    }
}

TEST_CASE("consistency check findings") {
    Fixture f("jamm");
    f.memory->put(alias_entry("cn=info2," + org, "info@example.org", {"carol@example.net"}));
    f.memory->put(alias_entry("mail=typo@example.org," + org, "typo@example.org",
                              {"nosuchuser@example.org"}));
    auto r = f.service->check();
    REQUIRE(r.is_found());
    std::string all;
    for (const Finding& finding : r.value().findings)
        all += finding.text + "\n";
    CAPTURE(all);
    CHECK(r.value().has_errors());
    CHECK(all.find("2 live aliases for info@example.org") != std::string::npos);
    CHECK(all.find("alias loop") != std::string::npos);
    CHECK(all.find("abuse@example.net exists only through the catch-all") != std::string::npos);
    CHECK(all.find("catch-all @example.net") != std::string::npos);
    CHECK(all.find("typo@example.org → nosuchuser@example.org: no such address") !=
          std::string::npos);
    CHECK(all.find("disabled.test is inactive") != std::string::npos);
    CHECK(r.value().domains == 3);
}

TEST_CASE("an entry that would hand out root's uid or a path out of its place is malformed") {
    struct Row {
        const char* name;
        const char* attribute;
        std::string value;
        const char* reason;
    };
    const Row rows[] = {
        {"uid 0", "uidNumber", "0", "uidNumber 0 is below minimum_uid (100)"},
        {"root's group", "gidNumber", "0", "gidNumber 0 is root's group"},
        {"a mailbox that climbs out", "mailbox", "example.org/../../etc/", "'..' segment"},
        {"a home that climbs out", "homeDirectory", "/var/mail/vhosts/..", "'..' segment"},
        {"a NUL in the mailbox", "mailbox", std::string("example.org/a\0/", 15),
         "control character"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        Fixture f("jamm");
        replace_values(f, "mail=alice@example.org," + org, row.attribute, {row.value});
        for (MapName map : {MapName::uid, MapName::mailbox}) {
            auto r = f.service->lookup(map, "alice@example.org");
            CHECK(r.is_temp_fail());
            CHECK(r.reason().find(row.reason) != std::string::npos);
        }
        CHECK(f.service->authenticate("alice@example.org", "alice-pw", "imap").is_temp_fail());
    }
    // With static_uid the entry's uid is never handed out: it is not checked.
    Config fixed = test::example_config("jamm");
    fixed.static_uid = 5000;
    Fixture g("jamm", fixed);
    replace_values(g, "mail=alice@example.org," + org, "uidNumber", {"0"});
    auto uid = g.service->lookup(MapName::uid, "alice@example.org");
    REQUIRE(uid.is_found());
    CHECK(uid.value() == std::vector<std::string>{"5000"});
}

TEST_CASE("consistency check: cleartext passwords are reported, hashes are not") {
    Fixture f("jamm");
    for (const auto& [local, password] :
         std::vector<std::pair<std::string, std::string>>{{"plain", "plain-pw"},
                                                          {"tagged", "{CLEARTEXT}tagged-pw"}}) {
        Entry e("mail=" + local + "@example.org," + org);
        e.add("objectClass", "JammMailAccount");
        e.add("mail", local + "@example.org");
        e.add("mailbox", "example.org/" + local + "/");
        e.add("userPassword", password);
        f.memory->put(e);
    }
    auto r = f.service->check();
    REQUIRE(r.is_found());
    std::string all;
    std::size_t cleartext = 0;
    for (const Finding& finding : r.value().findings) {
        all += finding.text + "\n";
        if (finding.text.find(" in cleartext") != std::string::npos) {
            CHECK(finding.severity == Finding::Severity::warning);
            ++cleartext;
        }
    }
    CAPTURE(all);
    CHECK(all.find("account plain@example.org stores its userPassword in cleartext") !=
          std::string::npos);
    CHECK(all.find("account tagged@example.org stores its userPassword in cleartext") !=
          std::string::npos);
    CHECK(cleartext == 2); // alice's {CRYPT}, bob's {SSHA}... are not reported
}

TEST_CASE("explain shows the SPEC order") {
    Fixture f("jamm");
    Trace trace;
    auto r = f.service->resolve("nobody+tag@example.net", &trace);
    REQUIRE(r.is_found());
    CHECK(r.value().route == Route::catch_all);
    std::vector<std::string> steps;
    for (const std::string& line : trace)
        if (line.size() > 3 && line[0] == '[')
            steps.push_back(line.substr(0, 3));
    CHECK(steps == std::vector<std::string>{"[1]", "[2]", "[3]", "[4]", "[4]", "[4]", "[5]"});
}
TEST_CASE("a broken service defers everything") {
    auto log = make_null_logger();
    auto service = Service::broken("configuration error: test", *log);
    for (const std::string& name : map_names()) {
        CAPTURE(name);
        auto r = service->lookup(*parse_map_name(name), "alice@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("configuration error") != std::string::npos);
    }
    CHECK(service->authenticate("alice@example.org", "alice-pw", "imap").is_temp_fail());
    CHECK(service->accounts().is_temp_fail());
    CHECK(service->check().is_temp_fail());
}
