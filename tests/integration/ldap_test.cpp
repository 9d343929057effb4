// The core against a real slapd: every example answer per preset, password
// checks, TLS, SASL EXTERNAL, and the failure drills of issue #2 (slapd
// stopped, hung, wrong bind password, first server down, restarted,
// duplicate entries) — each must end in a temporary failure, never a "no".
#include <cctype>
#include <doctest/doctest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <thread>

#include "support/example_rows.hpp"
#include "support/slapd.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/ldap/access_rules.hpp"
#include "vmaildir/service/config_file.hpp"
#include "vmaildir/service/service.hpp"

using namespace vmaildir;
using test::Slapd;

namespace {

using Keys = std::map<std::string, std::string>;

/// Writes DIR/NAME.conf from the defaults below plus `extra`, and loads it like a daemon does.
Config config_for(const Slapd& slapd, const std::string& preset, const Keys& extra = {},
                  const std::string& name = "vmaildir") {
    test::write_secret_file(slapd.dir() + "/bind.pw", "vmaildir-secret");
    test::write_secret_file(slapd.dir() + "/wrong.pw", "not-the-password");
    Keys keys{{"server_host", slapd.uri()},
              {"search_base", "o=hosting,dc=example,dc=com"},
              {"schema", preset},
              {"bind_dn", "cn=vmaildir,dc=example,dc=com"},
              {"bind_pw_file", "bind.pw"},
              {"timeout", "2s"},
              {"connect_timeout", "1s"},
              {"cache_size", "0"},
              {"log", "stderr"}};
    for (const auto& [k, v] : extra)
        keys[k] = v;
    std::string path = slapd.dir() + "/" + name + ".conf";
    std::ofstream out(path);
    for (const auto& [k, v] : keys)
        if (v != "(unset)")
            out << k << " = " << v << "\n";
    out.close();
    return load_config(path);
}

struct Opened {
    std::unique_ptr<Logger> log = make_stderr_logger("ldap_test");
    std::unique_ptr<Service> service;
    explicit Opened(const Config& c) {
        log->set_threshold(LogLevel::error);
        service = Service::open(c, *log);
    }
    Service* operator->() { return service.get(); }
};

struct Login {
    const char* preset;
    const char* login;
    const char* password;
    const char* service;
    Outcome outcome;
};

// clang-format off
const std::vector<Login> logins = {
    {"jamm courier mailrouter", "alice@example.org", "alice-pw", "imap", Outcome::found},     // {CRYPT}$6$
    {"jamm courier mailrouter", "bob@example.org", "bob-pw", "pop3", Outcome::found},         // {SSHA}
    {"jamm courier mailrouter", "frank@example.org", "frank-pw", "imap", Outcome::found},     // {SSHA512}
    {"jamm courier mailrouter", "carol@example.net", "carol-pw", "imap", Outcome::found},     // {CRYPT}$5$
    {"jamm courier mailrouter", "Alice@Example.ORG", "alice-pw", "imap", Outcome::found},
    {"jamm courier mailrouter", "alice@example.org", "wrong", "imap", Outcome::not_found},
    {"jamm courier mailrouter", "alice@example.org", "", "imap", Outcome::not_found},
    {"jamm courier mailrouter", "info@example.org", "alice-pw", "imap", Outcome::not_found}, // alias only
    {"jamm courier mailrouter", "nobody@example.org", "x", "imap", Outcome::not_found},
    {"jamm courier mailrouter", "alice+tag@example.org", "alice-pw", "imap", Outcome::not_found},
    {"jamm courier mailrouter", "*@example.org", "alice-pw", "imap", Outcome::not_found},
    {"jamm", "dave@example.org", "dave-pw", "imap", Outcome::not_found},                     // inactive
    {"jamm", "erin@example.org", "erin-pw", "imap", Outcome::not_found},                     // deleted
    {"jamm", "gina@disabled.test", "gina-pw", "imap", Outcome::not_found},                   // domain off
    {"courier", "noimap@example.org", "noimap-pw", "imap", Outcome::not_found},              // disableimap
    {"courier", "noimap@example.org", "noimap-pw", "pop3", Outcome::found},
};
// clang-format on

bool applies(const char* presets, const std::string& preset) {
    return (std::string(" ") + presets + " ").find(" " + preset + " ") != std::string::npos;
}

} // namespace

TEST_CASE("every preset answers like the in-memory directory, over real slapd") {
    for (const std::string preset : {"jamm", "courier", "mailrouter"}) {
        CAPTURE(preset);
        Slapd slapd("maps-" + preset, preset);
        Opened s(config_for(slapd, preset));
        for (const test::Row& row : test::example_rows) {
            if (!test::applies(row, preset))
                continue;
            CAPTURE(row.name);
            auto r = s->lookup(*parse_map_name(row.map), row.key);
            CHECK_MESSAGE(r.outcome() == row.outcome, r.reason());
            if (row.outcome == Outcome::found && r.is_found())
                CHECK(r.value() == row.values);
        }
        for (const char* method : {"bind", "compare"}) {
            Opened auth(config_for(slapd, preset, {{"auth_method", method}}, method));
            for (const Login& l : logins) {
                if (!applies(l.preset, preset))
                    continue;
                CAPTURE(method);
                CAPTURE(l.login);
                CAPTURE(l.service);
                auto r = auth->authenticate(l.login, l.password, l.service);
                CHECK_MESSAGE(r.outcome() == l.outcome, r.reason());
            }
        }
        auto accounts = s->accounts();
        REQUIRE(accounts.is_found());
        CHECK(accounts.value().size() == (preset == "jamm" ? 4u : preset == "courier" ? 5u : 4u));
        auto report = s->check();
        REQUIRE(report.is_found());
        CHECK(report.value().has_errors()); // the alias loop in every example directory
    }
}

TEST_CASE("failure drills: every directory problem is a temporary failure") {
    Slapd slapd("drills", "jamm");
    Config config = config_for(slapd, "jamm", {{"timeout", "1s"}});

    SUBCASE("slapd stopped") {
        Opened s(config);
        REQUIRE(s->lookup(MapName::alias, "alice@example.org").is_found());
        slapd.stop();
        for (const std::string& map : map_names()) {
            CAPTURE(map);
            auto r = s->lookup(*parse_map_name(map), map == "domain" ? "example.org"
                                                                     : "alice@example.org");
            CHECK(r.is_temp_fail());
        }
        auto login = s->authenticate("alice@example.org", "alice-pw", "imap");
        CHECK(login.is_temp_fail()); // never "wrong password"
        CHECK(s->accounts().is_temp_fail());
    }
    SUBCASE("slapd hung (SIGSTOP): temporary failure within the timeout") {
        Opened s(config);
        REQUIRE(s->lookup(MapName::alias, "alice@example.org").is_found());
        slapd.freeze();
        auto started = std::chrono::steady_clock::now();
        auto warm = s->lookup(MapName::alias, "bob@example.org");   // pooled connection
        Opened cold(config);
        auto fresh = cold->lookup(MapName::alias, "bob@example.org"); // new connection
        auto login = cold->authenticate("bob@example.org", "bob-pw", "imap");
        auto elapsed = std::chrono::steady_clock::now() - started;
        slapd.thaw();
        CHECK(warm.is_temp_fail());
        CHECK(fresh.is_temp_fail());
        CHECK(login.is_temp_fail());
        // Three operations, each bounded by timeout = 1s; the bound only catches "hangs".
        CHECK(elapsed < std::chrono::seconds(10));
        MESSAGE("three lookups against a hung slapd took "
                << std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()
                << " ms");
    }
    SUBCASE("wrong bind password") {
        Opened s(config_for(slapd, "jamm", {{"bind_pw_file", "wrong.pw"}}, "wrongpw"));
        auto r = s->lookup(MapName::alias, "alice@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("Invalid credentials") != std::string::npos);
        CHECK(s->lookup(MapName::alias, "nobody@example.org").is_temp_fail());
    }
    SUBCASE("part of the tree on another server (a referral object): never \"not found\"") {
        std::ofstream(slapd.dir() + "/referral.ldif")
            << "dn: jvd=remote.test,o=hosting,dc=example,dc=com\nobjectClass: referral\n"
               "objectClass: extensibleObject\njvd: remote.test\n"
               "ref: ldap://ldap.remote.test/jvd=remote.test,o=hosting,dc=example,dc=com\n";
        test::run("ldapmodify -a -M -x -H " + slapd.uri() + " -D cn=Manager,dc=example,dc=com -w secret"
            " -f " + test::shell_quote(slapd.dir() + "/referral.ldif"));
        Opened s(config);
        // The search for the domain meets the reference: its answer may be on the other
        // server, which vmaildir does not ask.
        auto r = s->lookup(MapName::domain, "remote.test");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("continuation reference") != std::string::npos);
        CHECK(s->lookup(MapName::domain, "elsewhere.test").is_temp_fail());
    }
    SUBCASE("first server_host down: answered by the second") {
        Opened s(config_for(slapd, "jamm",
                            {{"server_host", "ldap://127.0.0.1:1/ " + slapd.uri()}}, "failover"));
        auto r = s->lookup(MapName::alias, "info@example.org");
        CHECK_MESSAGE(r.is_found(), r.reason());
    }
    SUBCASE("slapd restarted: the next lookup succeeds") {
        Opened s(config);
        REQUIRE(s->lookup(MapName::alias, "alice@example.org").is_found());
        REQUIRE(s->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        slapd.restart();
        auto r = s->lookup(MapName::alias, "bob@example.org");
        CHECK_MESSAGE(r.is_found(), r.reason());
        auto login = s->authenticate("alice@example.org", "alice-pw", "imap");
        CHECK_MESSAGE(login.is_found(), login.reason());
    }
    SUBCASE("slapd restarted under a full pool: no lookup fails once it is back") {
        Opened s(config);
        // Several connections at once, so that the pool holds several idle ones.
        std::vector<std::thread> threads;
        std::atomic<int> failed{0};
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 30; ++i)
                    if (!s->lookup(MapName::alias, "info@example.org").is_found())
                        ++failed;
            });
        for (auto& t : threads)
            t.join();
        REQUIRE(failed == 0);
        slapd.restart(); // the same address: every pooled connection is dead now
        int temp = 0;
        std::string reasons;
        for (int i = 0; i < 10; ++i) {
            auto r = s->lookup(MapName::alias, "info@example.org");
            if (r.is_temp_fail()) {
                ++temp;
                reasons += r.reason() + "; ";
            }
        }
        CHECK_MESSAGE(temp == 0, reasons);
    }
    SUBCASE("two entries for one address") {
        slapd.modify("dn: cn=info-again,jvd=example.org,o=hosting,dc=example,dc=com\n"
                     "changetype: add\nobjectClass: JammMailAlias\ncn: info-again\n"
                     "mail: info@example.org\nmaildrop: carol@example.net\n"
                     "accountActive: TRUE\ndelete: FALSE\n");
        Opened s(config);
        auto r = s->lookup(MapName::alias, "info@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("where one is expected") != std::string::npos);
        CHECK(s->lookup(MapName::recipient, "sales@example.org").is_temp_fail());
        CHECK(s->lookup(MapName::sender, "info@example.org").is_temp_fail());
    }
    SUBCASE("more entries than size_limit") {
        Opened s(config_for(slapd, "jamm", {{"size_limit", "1"}}, "sizelimit"));
        CHECK(s->lookup(MapName::alias, "alice@example.org").is_temp_fail());
    }
    SUBCASE("search_base that does not exist") {
        Opened s(config_for(slapd, "jamm", {{"search_base", "o=nowhere,dc=example,dc=com"}},
                            "nobase"));
        CHECK(s->lookup(MapName::alias, "alice@example.org").is_temp_fail());
    }
    SUBCASE("many threads share the pool") {
        Opened s(config_for(slapd, "jamm", {{"pool_size", "2"}}, "threads"));
        std::atomic<int> good{0};
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&] {
                for (int i = 0; i < 25; ++i)
                    if (s->lookup(MapName::recipient, "sales@example.org").is_found() &&
                        s->lookup(MapName::alias, "nobody@example.org").is_not_found())
                        ++good;
            });
        for (auto& t : threads)
            t.join();
        CHECK(good.load() == 200);
    }
}

TEST_CASE("StartTLS, ldaps and SASL EXTERNAL") {
    Slapd slapd("tls", "jamm", true);
    SUBCASE("StartTLS with the right CA") {
        Opened s(config_for(slapd, "jamm", {{"start_tls", "yes"}, {"tls_ca_file", slapd.ca_file()}},
                            "starttls"));
        auto r = s->lookup(MapName::alias, "info@example.org");
        CHECK_MESSAGE(r.is_found(), r.reason());
        CHECK(s->authenticate("alice@example.org", "alice-pw", "imap").is_found());
    }
    SUBCASE("ldaps") {
        Opened s(config_for(slapd, "jamm",
                            {{"server_host", slapd.ldaps_uri()}, {"tls_ca_file", slapd.ca_file()}},
                            "ldaps"));
        auto r = s->lookup(MapName::alias, "info@example.org");
        CHECK_MESSAGE(r.is_found(), r.reason());
    }
    SUBCASE("ldaps without tls_* keys: tls_require_cert holds, whatever libldap's own "
            "settings say") {
        const std::string conf = slapd.dir() + "/ldaps-only.conf";
        test::write_secret_file(slapd.dir() + "/bind.pw", "vmaildir-secret");
        std::ofstream(conf) << "server_host = " << slapd.ldaps_uri()
                            << "\nsearch_base = o=hosting,dc=example,dc=com\nschema = jamm\n"
                               "bind_dn = cn=vmaildir,dc=example,dc=com\nbind_pw_file = bind.pw\n"
                               "timeout = 2s\nconnect_timeout = 1s\nlog = stderr\n";
        const std::string lookup = "LDAPTLS_REQCERT=never " + test::shell_quote(VMAILDIR_CLI) +
                                   " -c " + test::shell_quote(conf) +
                                   " lookup alias info@example.org 2>/dev/null";
        // The test CA is none of the system's: the certificate does not verify (75: TEMP).
        CHECK(test::status_of(lookup) == 75);
        std::ofstream(conf, std::ios::app) << "tls_ca_file = " << slapd.ca_file() << "\n";
        CHECK(test::status_of(lookup) == 0);
    }
    SUBCASE("StartTLS against an untrusted certificate fails temporarily") {
        std::ofstream(slapd.dir() + "/other-ca.pem")
            << test::run("openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null "
                         "-subj /CN=other -days 1 2>/dev/null");
        Opened s(config_for(slapd, "jamm",
                            {{"start_tls", "yes"}, {"tls_ca_file", slapd.dir() + "/other-ca.pem"}},
                            "untrusted"));
        auto r = s->lookup(MapName::alias, "info@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("StartTLS") != std::string::npos);
    }
    SUBCASE("SASL EXTERNAL over ldapi") {
        Opened s(config_for(slapd, "jamm",
                            {{"server_host", slapd.ldapi_uri()},
                             {"sasl_mech", "EXTERNAL"},
                             {"bind_dn", "(unset)"},
                             {"bind_pw_file", "(unset)"},
                             {"auth_method", "compare"}},
                            "external"));
        auto r = s->lookup(MapName::alias, "info@example.org");
        CHECK_MESSAGE(r.is_found(), r.reason());
        // compare reads userPassword: only the mapped identity cn=vmaildir may.
        auto login = s->authenticate("alice@example.org", "alice-pw", "imap");
        CHECK_MESSAGE(login.is_found(), login.reason());
    }
}

TEST_CASE("password change as the account itself") {
    Slapd slapd("passwd", "jamm");
    for (const char* method : {"bind", "compare"}) {
        CAPTURE(method);
        Opened s(config_for(slapd, "jamm", {{"auth_method", method}}, method));
        std::string old_pw = std::string("alice-pw");
        std::string new_pw = std::string("new-") + method;
        if (std::string(method) == "compare")
            old_pw = "new-bind";
        auto changed = s->change_password("alice@example.org", old_pw, new_pw);
        REQUIRE_MESSAGE(changed.is_found(), changed.reason());
        CHECK(s->authenticate("alice@example.org", new_pw, "imap").is_found());
        CHECK(s->authenticate("alice@example.org", old_pw, "imap").is_not_found());
        CHECK(s->change_password("alice@example.org", "wrong", "x").is_not_found());
    }
}

TEST_CASE("vmaildir CLI exit codes") {
    Slapd slapd("cli", "jamm");
    Config config = config_for(slapd, "jamm", {{"timeout", "1s"}});
    const std::string cli = test::shell_quote(VMAILDIR_CLI) + " -c " +
                            test::shell_quote(slapd.dir() + "/vmaildir.conf") + " ";
    CHECK(test::status_of(cli + "lookup alias info@example.org") == 0);
    CHECK(test::run(cli + "lookup alias info@example.org") == "alice@example.org, bob@example.org\n");
    CHECK(test::status_of(cli + "lookup alias nobody@example.org") == 1);
    CHECK(test::status_of(cli + "lookup nosuchmap x") == 64);
    CHECK(test::status_of(cli + "frobnicate") == 64);
    CHECK(test::status_of("echo alice-pw | " + cli + "auth alice@example.org") == 0);
    CHECK(test::status_of("echo wrong | " + cli + "auth alice@example.org") == 1);
    CHECK(test::status_of(cli + "explain alice+x@example.org") == 0);
    std::string explained = test::run(cli + "explain carol@example.net");
    CHECK(explained.find("[1] domain example.net: live") != std::string::npos);
    CHECK(explained.find("[3] account carol@example.net: live") != std::string::npos);
    CHECK(test::status_of(cli + "check") == 1); // the example's alias loop
    // A cleartext password: slapd accepts it on a bind (auth_method = bind, the default, never
    // sees the value), and `vmaildir check` reports it (docs/decisions.md).
    slapd.modify("dn: mail=bob@example.org,jvd=example.org,o=hosting,dc=example,dc=com\n"
                 "changetype: modify\nreplace: userPassword\nuserPassword: bob-plain\n");
    CHECK(test::status_of("echo bob-plain | " + cli + "auth bob@example.org") == 0);
    const std::string checked = test::run(cli + "check 2>&1 || true"); // exit 1: the loop
    CAPTURE(checked);
    CHECK(checked.find("account bob@example.org stores its userPassword in cleartext") !=
          std::string::npos);
    CHECK(checked.find("alice@example.org stores") == std::string::npos);
    std::ofstream(slapd.dir() + "/broken.conf") << "search_base = o=hosting\nfrobnicate = 1\n";
    CHECK(test::status_of(test::shell_quote(VMAILDIR_CLI) + " -c " +
                          test::shell_quote(slapd.dir() + "/broken.conf") +
                          " lookup alias a@b.c") == 78);
    slapd.stop();
    CHECK(test::status_of(cli + "lookup alias info@example.org") == 75);
    CHECK(test::status_of("echo alice-pw | " + cli + "auth alice@example.org") == 75);
}

TEST_CASE("vmaildir lookup recipient answers the shared recipient table (support/example_rows.hpp)") {
    Slapd slapd("cli-recipients", "jamm");
    Config config = config_for(slapd, "jamm", {});
    const std::string cli = test::shell_quote(VMAILDIR_CLI) + " -c " +
                            test::shell_quote(slapd.dir() + "/vmaildir.conf") + " lookup recipient ";
    // An account answers the address as received (case and +tag kept): its Maildir is the
    // account's, so compare what the table names, folded.
    auto folded = [](std::string a) {
        for (char& c : a)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (auto plus = a.find('+'), at = a.find('@'); plus != std::string::npos && plus < at)
            a.erase(plus, at - plus);
        return a;
    };
    for (const test::RecipientRow& row : test::example_recipients) {
        std::string name = row.name;
        CAPTURE(name);
        std::string command = cli + test::shell_quote(row.address);
        switch (row.rcpt) {
        case test::Rcpt::accepted: {
            REQUIRE(test::status_of(command) == 0);
            std::string expected;
            for (const std::string& a : test::final_addresses(row))
                expected += (expected.empty() ? "" : ", ") + a;
            CHECK(folded(test::run(command)) == expected + "\n");
            break;
        }
        case test::Rcpt::unknown: CHECK(test::status_of(command) == 1); break;
        case test::Rcpt::try_later: CHECK(test::status_of(command) == 75); break;
        }
    }
}

TEST_CASE("the generated slapd access rules agree with decide()") {
    const Schema schema = *preset_schema("jamm");
    const std::string base = "o=hosting,dc=example,dc=com";
    AclRuleSettings rules{base, {"cn=siteadmin,dc=example,dc=com"}, "",
                          "cn=vmaildir,dc=example,dc=com"};
    const AclPolicy policy;
    const std::string acl_file = std::string(VMAILDIR_TEST_WORK_DIR) + "/generated-acl.conf";
    std::ofstream(acl_file) << openldap_access_rules(schema, rules, policy);
    Slapd slapd("acl", "jamm", false, acl_file);
    Opened s(config_for(slapd, "jamm", {{"site_admins", "cn=siteadmin,dc=example,dc=com"}}));

    const std::string org = "jvd=example.org," + base, net = "jvd=example.net," + base;
    const std::string alice = "mail=alice@example.org," + org, bob = "mail=bob@example.org," + org,
                      carol = "mail=carol@example.net," + net,
                      info = "mail=info@example.org," + org,
                      admin = "cn=siteadmin,dc=example,dc=com";
    const std::string same_bob_pw = *hash_password("bob-pw", PasswordScheme::ssha);
    const std::string same_carol_pw = *hash_password("carol-pw", PasswordScheme::ssha);
    struct Case {
        std::string name, who, password;
        Action action;
        std::string target_dn, domain, address, change; // change: LDIF modify lines
    };
    const std::vector<Case> cases = {
        {"postmaster resets a password in its domain", alice, "alice-pw", Action::set_password,
         bob, "example.org", "bob@example.org", "replace: userPassword\nuserPassword: " + same_bob_pw},
        {"postmaster may not reset one elsewhere", alice, "alice-pw", Action::set_password, carol,
         "example.net", "carol@example.net",
         "replace: userPassword\nuserPassword: " + same_carol_pw},
        {"self changes its own password", bob, "bob-pw", Action::set_password, bob,
         "example.org", "bob@example.org", "replace: userPassword\nuserPassword: " + same_bob_pw},
        {"self may not change another's", bob, "bob-pw", Action::set_password, alice,
         "example.org", "alice@example.org", "replace: userPassword\nuserPassword: x"},
        {"postmaster may not deactivate its domain", alice, "alice-pw", Action::set_domain_active,
         org, "example.org", "", "replace: accountActive\naccountActive: TRUE"},
        {"site admin sets a domain active", admin, "siteadmin-secret", Action::set_domain_active,
         net, "example.net", "", "replace: accountActive\naccountActive: TRUE"},
        {"postmaster edits an alias of its domain", alice, "alice-pw",
         Action::change_alias_destinations, info, "example.org", "info@example.org",
         "replace: maildrop\nmaildrop: alice@example.org\nmaildrop: bob@example.org"},
        {"a user may not edit someone else's alias", bob, "bob-pw",
         Action::change_alias_destinations, info, "example.org", "info@example.org",
         "replace: maildrop\nmaildrop: bob@example.org"},
        {"postmaster may not set quotas by default", alice, "alice-pw", Action::set_account_quota,
         bob, "example.org", "bob@example.org", "replace: quota\nquota: 5S"},
        {"site admin sets a quota", admin, "siteadmin-secret", Action::set_account_quota, bob,
         "example.org", "bob@example.org", "replace: quota\nquota: 0"},
        {"postmaster renames an account of its domain", alice, "alice-pw", Action::modify_account,
         bob, "example.org", "bob@example.org", "replace: cn\ncn: Bob Example"},
        {"another domain's postmaster may not", carol, "carol-pw", Action::modify_account, alice,
         "example.org", "alice@example.org", "replace: cn\ncn: Mallory"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        auto actor = s->actor(c.who);
        REQUIRE(actor.is_found());
        Target target{c.domain, true, true, c.target_dn, c.address};
        bool library = decide(actor.value(), c.action, target, policy).allowed;
        std::string file = slapd.dir() + "/acl-change.ldif";
        std::ofstream(file) << "dn: " << c.target_dn << "\nchangetype: modify\n" << c.change << "\n";
        int rc = test::status_of("ldapmodify -x -H " + slapd.uri() + " -D " +
                                 test::shell_quote(c.who) + " -w " + test::shell_quote(c.password) +
                                 " -f " + test::shell_quote(file));
        CAPTURE(rc);
        CHECK((rc == 0) == library);
        if (!library)
            CHECK(rc == 50); // insufficientAccessRights, not some other error
    }
    // Nobody reads a password, not even anonymously; the service reads what it needs.
    CHECK(test::run("ldapsearch -LLL -x -H " + slapd.uri() + " -b " + test::shell_quote(alice) +
                    " -s base userPassword")
              .find("userPassword") == std::string::npos);
    CHECK_FALSE(decide(Actor{}, Action::read_password, Target{"example.org", true, true, alice,
                                                              "alice@example.org"},
                       policy)
                    .allowed);
    // And logins still work under the generated rules (anonymous auth on userPassword).
    CHECK(s->authenticate("alice@example.org", "alice-pw", "imap").is_found());
}
