// The administration commands (vmaildir/admin/admin.hpp) over the example
// directories in memory: every action plans the entries the layout wants,
// asks decide() first, refuses what the model forbids (a missing domain, an
// existing address, a loop, an account losing its mail), and a deleted
// account's name never gets its old mailbox back.  The access rules of slapd
// are the integration test's (tests/integration/admin_test.cpp).
#include "resolve/lookups.hpp"
#include "support/scripted_directory.hpp"
#include "vmaildir/admin/admin.hpp"

#include <doctest/doctest.h>
#include <regex>

using namespace vmaildir;

namespace {

const std::string site_admin = "cn=siteadmin,dc=example,dc=com";

std::string account_dn(const std::string& preset, const std::string& local, const std::string& d) {
    const std::string base = "o=hosting,dc=example,dc=com";
    if (preset == "jamm")
        return "mail=" + local + "@" + d + ",jvd=" + d + "," + base;
    if (preset == "courier")
        return "mail=" + local + "@" + d + ",o=" + d + "," + base;
    return "uid=" + local + ",dc=" + d + "," + base;
}

/// The example directory of a preset, administered by whoever a test names.
struct Fixture {
    explicit Fixture(const std::string& preset_)
        : preset(preset_), config(test::example_config(preset_)),
          directory(test::example_directory(preset_)), log(make_null_logger()) {
        config.site_admins = {site_admin};
    }

    /// An Administration acting as `dn`.
    std::unique_ptr<Administration> as(const std::string& dn) {
        auto session =
            directory->open_session(Identity{Identity::Method::sasl_external, dn, "", ""},
                                    Deadline::after(std::chrono::seconds(5)));
        REQUIRE(session.is_found());
        sessions.push_back(std::move(session).value());
        auto admin = Administration::open(config, *sessions.back(), *log);
        REQUIRE_MESSAGE(admin.is_found(), admin.reason());
        return std::move(admin).value();
    }

    /// Plans and applies; the plan.
    Plan run(Administration& admin, const Result<Plan>& plan) {
        REQUIRE_MESSAGE(plan.is_found(), plan.reason());
        auto applied = admin.apply(plan.value());
        REQUIRE_MESSAGE(applied.is_found(), applied.reason());
        CHECK(applied.value() == plan.value().changes.size());
        return plan.value();
    }

    Result<Delivery> resolve(const std::string& key) {
        Lookups lookups(config, *directory, *log);
        return lookups.resolver.resolve(key, nullptr, false);
    }

    std::string preset;
    Config config;
    std::shared_ptr<MemoryDirectory> directory;
    std::unique_ptr<Logger> log;
    std::vector<std::unique_ptr<DirectorySession>> sessions;
};

const char* const presets[] = {"jamm", "courier", "mailrouter"};

} // namespace

TEST_CASE("a site admin creates a domain with its RFC 2142 aliases, in every layout") {
    for (const char* preset : presets) {
        CAPTURE(preset);
        Fixture f(preset);
        auto admin = f.as(site_admin);
        NewDomain options;
        options.postmaster_to = {"alice@example.org"};
        Plan plan = f.run(*admin, admin->add_domain("New.Test", options));
        CHECK(plan.summary == "create domain new.test");
        CHECK(plan.changes.size() == 3);
        CHECK(plan.warnings.empty());
        auto postmaster = f.resolve("postmaster@new.test");
        REQUIRE_MESSAGE(postmaster.is_found(), postmaster.reason());
        CHECK(postmaster.value().destinations == std::vector<std::string>{"alice@example.org"});
        CHECK(f.resolve("abuse@new.test").is_found());
        CHECK(f.resolve("nobody@new.test").is_not_found());
        CHECK(admin->add_domain("new.test", {}).is_not_found()); // exists
        auto bad = admin->add_domain("not a domain", {});
        CHECK(bad.is_not_found());
        CHECK(bad.reason().find("not a domain name") != std::string::npos);
    }
}

TEST_CASE("an account is created, deleted, and created again with a fresh mailbox") {
    for (const char* preset : presets) {
        CAPTURE(preset);
        Fixture f(preset);
        auto admin = f.as(site_admin);
        NewAccount account;
        account.name = "Zoe Example";
        account.password_value = "{SSHA}c2VjcmV0c2VjcmV0";
        f.run(*admin, admin->add_account("zoe@example.org", account));
        auto first = f.resolve("zoe@example.org");
        REQUIRE_MESSAGE(first.is_found(), first.reason());
        REQUIRE(first.value().account);
        const std::string old_mailbox = first.value().account->mailbox;
        CHECK(std::regex_search(old_mailbox,
                                std::regex("example\\.org/zoe\\.[0-9]{14}-[0-9a-f]{4}/$")));
        CHECK(f.resolve("zoe+tag@example.org").is_found());

        auto again = admin->add_account("zoe@example.org", account);
        CHECK(again.is_not_found());
        CHECK(again.reason().find("exists") != std::string::npos);

        Plan deleted = f.run(*admin, admin->delete_account("Zoe@Example.org"));
        CHECK(deleted.affects_logins);
        CHECK(f.resolve("zoe@example.org").is_not_found());
        const bool tombstone = std::string(preset) == "jamm";
        CHECK(deleted.changes.back().kind ==
              (tombstone ? Change::Kind::modify : Change::Kind::remove));

        Plan recreated = f.run(*admin, admin->add_account("zoe@example.org", account));
        CHECK(recreated.changes.size() == (tombstone ? 2u : 1u)); // the tombstone makes way
        auto second = f.resolve("zoe@example.org");
        REQUIRE(second.is_found());
        CHECK(second.value().account->mailbox != old_mailbox);
    }
}

TEST_CASE("hostile names never leave the mail base nor widen a search") {
    Fixture f("jamm");
    auto admin = f.as(site_admin);
    auto plan = admin->add_account("\"../../etc\"@example.org", NewAccount{});
    if (plan.is_found()) {
        const Change& add = plan.value().changes.back();
        for (const std::string& mailbox : add.entry.values("mailbox")) {
            CHECK(mailbox.find('"') == std::string::npos);
            for (std::size_t start = 0, slash = 0; slash != std::string::npos; start = slash + 1) {
                slash = mailbox.find('/', start);
                const std::string part = mailbox.substr(start, slash - start);
                CHECK(part != "..");
                CHECK(part != ".");
            }
        }
    }
    auto star = admin->add_alias("*@example.org", {"alice@example.org"});
    REQUIRE(star.is_found()); // a legal local part, escaped in the DN and every filter
    CHECK(star.value().changes.back().dn ==
          "mail=*@example.org,jvd=example.org,o=hosting,dc=example,dc=com");
    // Were the key spliced into a filter, "x)(mail=*" would find every entry and read "exists".
    auto spliced = admin->add_alias("x)(mail=*@example.org", {"alice@example.org"});
    CHECK(spliced.reason().find("exists") == std::string::npos);
}

TEST_CASE("the model's refusals, each with a reason") {
    Fixture f("jamm");
    auto admin = f.as(site_admin);
    struct Case {
        std::string name;
        Result<Plan> plan;
        const char* reason;
    };
    const Case cases[] = {
        {"a domain that is not hosted", admin->add_account("x@nowhere.test", {}),
         "not a hosted domain"},
        {"an address held by an account",
         admin->add_alias("alice@example.org", {"bob@example.org"}), "exists"},
        {"an address held by an alias", admin->add_account("info@example.org", {}), "exists"},
        {"an alias forwarding to itself",
         admin->add_alias("self@example.org", {"self@example.org"}), "cannot forward to itself"},
        {"no destinations", admin->add_alias("none@example.org", {}), "no destinations"},
        {"a destination with a blank", admin->add_alias("x@example.org", {"a b@c"}), "blank"},
        {"a destination that is no address", admin->add_alias("x@example.org", {"a@"}),
         "not an address"},
        {"a destination that is no user name", admin->add_alias("x@example.org", {"-rf"}),
         "neither an address nor a local user name"},
        {"deleting what is not there", admin->delete_account("nobody@example.org"), "no account"},
        {"an alias is not an account", admin->delete_account("info@example.org"), "no account"},
        {"the postmaster role is kept", admin->delete_alias("postmaster@example.org"),
         "postmaster role"},
        {"a catch-all to a missing address of its domain",
         admin->set_catch_all("example.org", {"typo@example.org"}), "does not exist"},
        {"an alias that takes an account's mail",
         admin->set_alias_destinations("alice@example.org", {"bob@example.org"}),
         "take the mail of the account alice@example.org"},
        {"a domain with accounts is kept without --recursive",
         admin->delete_domain("example.org", false), "--recursive"},
        {"a quota that is none", admin->set_account_quota("bob@example.org", "lots"),
         "not a quota"},
        {"disabling an account that is not there",
         admin->set_account_active("nobody@example.org", false), "no account"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        CHECK(c.plan.is_not_found());
        CHECK_MESSAGE(c.plan.reason().find(c.reason) != std::string::npos, c.plan.reason());
    }
    // Keeping a copy is fine.
    CHECK(
        admin->set_alias_destinations("alice@example.org", {"alice@example.org", "bob@example.org"})
            .is_found());
}

TEST_CASE("an alias that would loop is refused, with the address it comes back to") {
    Fixture f("jamm");
    auto admin = f.as(site_admin);
    f.run(*admin, admin->add_alias("a1@example.org", {"a2@example.org"}));
    f.run(*admin, admin->add_alias("a2@example.org", {"a3@example.org", "bob@example.org"}));
    auto loop = admin->add_alias("a3@example.org", {"a1@example.org"});
    CHECK(loop.is_not_found());
    CHECK_MESSAGE(loop.reason().find("loop") != std::string::npos, loop.reason());
    auto changed = admin->set_alias_destinations("a2@example.org", {"a1@example.org"});
    CHECK(changed.is_not_found());
    CHECK(admin->add_alias("a3@example.org", {"alice@example.org"}).is_found());
}

TEST_CASE("layouts without flags say what they lack") {
    Fixture f("courier");
    auto admin = f.as(site_admin);
    auto r = admin->set_domain_active("example.org", false);
    CHECK(r.is_not_found());
    CHECK(r.reason() == "the courier layout has no active flag (active_attribute is not set)");
    CHECK(admin->set_account_active("bob@example.org", false).reason().find("no active flag") !=
          std::string::npos);
}

TEST_CASE("domain admins act within the capabilities the site admin gave them") {
    Fixture f("jamm");
    const std::string alice = account_dn("jamm", "alice", "example.org");
    const std::string carol = account_dn("jamm", "carol", "example.net");
    auto by_alice = f.as(alice);
    CHECK(by_alice->actor().administered_domains == std::vector<std::string>{"example.org"});
    NewAccount plain;
    plain.password_value = "{SSHA}c2VjcmV0c2VjcmV0";
    Plan made = f.run(*by_alice, by_alice->add_account("yan@example.org", plain));
    bool has_quota = false;
    for (const auto& a : made.changes.back().entry.attributes())
        has_quota = has_quota || a.name == "quota";
    CHECK_FALSE(has_quota); // domain admins do not set quotas (new_account_quota is empty anyway)

    auto elsewhere = by_alice->add_account("yan@example.net", plain);
    CHECK(elsewhere.is_not_found());
    CHECK(elsewhere.reason().find("denied") == 0);

    auto by_carol = f.as(carol); // example.net: editAccounts FALSE, editPostmasters FALSE
    auto no_edit = by_carol->add_account("yan@example.net", plain);
    CHECK(no_edit.reason() ==
          "denied: domain admin of example.net may not create accounts (editAccounts is off)");
    CHECK(by_carol->add_alias("sales@example.net", {"carol@example.net"}).is_found());
    CHECK(by_carol->appoint_postmaster("example.net", "carol@example.net")
              .reason()
              .find("editPostmasters is off") != std::string::npos);
    CHECK(by_carol->set_domain_active("example.net", false).reason().find("site admins only") !=
          std::string::npos);
    CHECK(by_alice->set_account_quota("bob@example.org", "5S")
              .reason()
              .find("domain_admin_sets_quota is off") != std::string::npos);

    // Self: its own password, nothing else.
    const std::string bob = account_dn("jamm", "bob", "example.org");
    auto by_bob = f.as(bob);
    CHECK(by_bob->set_account_password("bob@example.org", "{SSHA}bmV3bmV3bmV3").is_found());
    CHECK(by_bob->set_account_password("alice@example.org", "{SSHA}bmV3bmV3bmV3").is_not_found());
    CHECK(by_bob->add_alias("x@example.org", {"bob@example.org"}).is_not_found());

    auto anonymous = f.as("");
    CHECK(anonymous->delete_account("bob@example.org").reason().find("anonymous may not") == 8);
}

TEST_CASE("postmasters are appointed and revoked; a deleted account leaves its roles") {
    for (const char* preset : presets) {
        CAPTURE(preset);
        Fixture f(preset);
        auto admin = f.as(site_admin);
        const std::string bob = account_dn(preset, "bob", "example.org");
        f.run(*admin, admin->appoint_postmaster("example.org", "bob@example.org"));
        auto listed = admin->postmasters("example.org");
        REQUIRE(listed.is_found());
        CHECK(std::find(listed.value().begin(), listed.value().end(), bob) != listed.value().end());
        CHECK(f.as(bob)->actor().administered_domains == std::vector<std::string>{"example.org"});
        CHECK(
            admin->appoint_postmaster("example.org", "bob@example.org").reason().find("already") !=
            std::string::npos);

        f.run(*admin, admin->revoke_postmaster("example.org", bob));
        CHECK(f.as(bob)->actor().administered_domains.empty());
        CHECK(admin->revoke_postmaster("example.org", "bob@example.org")
                  .reason()
                  .find("is not a postmaster") != std::string::npos);

        // Deleting a postmaster's account takes it off the role, so that its name, created
        // again, administers nothing.
        f.run(*admin, admin->appoint_postmaster("example.org", "bob@example.org"));
        Plan gone = f.run(*admin, admin->delete_account("bob@example.org"));
        CHECK(gone.changes.size() == 2);
        f.run(*admin, admin->add_account("bob@example.org", NewAccount{}));
        CHECK(f.as(bob)->actor().administered_domains.empty());
    }
}

TEST_CASE("the last postmaster of a jamm domain leaves the role class with it") {
    Fixture f("jamm");
    auto admin = f.as(site_admin);
    Plan plan = f.run(*admin, admin->revoke_postmaster("example.net", "carol@example.net"));
    REQUIRE(plan.changes.size() == 1);
    const auto& mods = plan.changes.front().modifications;
    REQUIRE(mods.size() == 2);
    CHECK(mods[1].attribute == "objectClass");
    CHECK(mods[1].values == std::vector<std::string>{"JammPostmaster"});
    CHECK(f.resolve("postmaster@example.net").is_found()); // the alias stays
    f.run(*admin, admin->appoint_postmaster("example.net", "carol@example.net"));
}

TEST_CASE("the last member of mailrouter's cn=admin group goes only by a site admin") {
    // groupOfNames needs a member: the last one goes with the entry, and only site admins
    // delete role entries (as slapd's rules say).
    Fixture f("mailrouter");
    f.config.edit_postmasters_default = true;
    const std::string carol = account_dn("mailrouter", "carol", "example.net");
    auto by_carol = f.as(carol);
    auto last = by_carol->revoke_postmaster("example.net", "carol@example.net");
    CHECK(last.reason() == "denied: the last postmaster of example.net goes only with its role "
                           "entry cn=admin,dc=example.net,o=hosting,dc=example,dc=com, which "
                           "only a site admin deletes");
    CHECK(
        by_carol->delete_account("carol@example.net").reason().find("only a site admin deletes") !=
        std::string::npos);
    // With another member, carol may leave: a modification.
    f.run(*by_carol, by_carol->add_account("kim@example.net", NewAccount{}));
    f.run(*by_carol, by_carol->appoint_postmaster("example.net", "kim@example.net"));
    Plan leave = f.run(*by_carol, by_carol->revoke_postmaster("example.net", carol));
    REQUIRE(leave.changes.size() == 1);
    CHECK(leave.changes.front().kind == Change::Kind::modify);
    // The site admin deletes the group with its last member.
    auto admin = f.as(site_admin);
    Plan gone = f.run(*admin, admin->revoke_postmaster("example.net", "kim@example.net"));
    REQUIRE(gone.changes.size() == 1);
    CHECK(gone.changes.front().kind == Change::Kind::remove);
}

TEST_CASE("deleting a domain deletes what it holds; a jamm domain comes back empty") {
    for (const char* preset : presets) {
        CAPTURE(preset);
        Fixture f(preset);
        auto admin = f.as(site_admin);
        f.run(*admin, admin->delete_domain("example.org", true));
        CHECK(f.resolve("alice@example.org").is_not_found());
        NewDomain again;
        again.postmaster_to = {"carol@example.net"};
        f.run(*admin, admin->add_domain("example.org", again));
        CHECK(f.resolve("alice@example.org").is_not_found()); // nothing comes back
        CHECK(f.resolve("info@example.org").is_not_found());
        CHECK(f.resolve("postmaster@example.org").is_found());
        auto postmasters = admin->postmasters("example.org");
        REQUIRE(postmasters.is_found());
        CHECK(postmasters.value().empty());
    }
}

TEST_CASE("catch-alls are set and cleared; listings show every entry") {
    for (const char* preset : presets) {
        CAPTURE(preset);
        Fixture f(preset);
        auto admin = f.as(site_admin);
        f.run(*admin, admin->set_catch_all("example.org", {"bob@example.org"}));
        auto caught = f.resolve("whoever@example.org");
        REQUIRE(caught.is_found());
        CHECK(caught.value().route == Route::catch_all);
        auto report = admin->domain("example.org");
        REQUIRE(report.is_found());
        REQUIRE(report.value().catch_all);
        CHECK(report.value().catch_all->destinations ==
              std::vector<std::string>{"bob@example.org"});
        f.run(*admin, admin->clear_catch_all("example.org"));
        CHECK(f.resolve("whoever@example.org").is_not_found());
        CHECK(admin->clear_catch_all("example.org").is_not_found());

        auto accounts = admin->accounts("example.org");
        REQUIRE(accounts.is_found());
        CHECK(accounts.value().size() >= 3);
        auto domains = admin->domains();
        REQUIRE(domains.is_found());
        CHECK(domains.value().size() >= 2);
    }
}

TEST_CASE("a plan prints as LDIF that ldapmodify applies") {
    Fixture f("jamm");
    auto admin = f.as(site_admin);
    auto plan = admin->add_account("zoe@example.org", NewAccount{});
    REQUIRE(plan.is_found());
    std::string ldif = to_ldif(plan.value().changes, plan.value().comments);
    CHECK(ldif.find("dn: mail=zoe@example.org,jvd=example.org,o=hosting,dc=example,dc=com\n"
                    "changetype: add\n") != std::string::npos);
    CHECK(ldif.find("# the account zoe@example.org, mailbox example.org/zoe.") == 0);
    std::vector<Change> tricky{
        Change::modify("cn=x,dc=y", {{Modification::Op::replace, "cn", {" lead"}},
                                     {Modification::Op::remove, "sn", {}}})};
    CHECK(to_ldif(tricky) == "dn: cn=x,dc=y\nchangetype: modify\nreplace: cn\ncn:: IGxlYWQ=\n-\n"
                             "delete: sn\n-\n");
}

TEST_CASE("new entries follow the configuration's overrides of the preset") {
    Fixture f("jamm");
    f.config.schema.name_attribute = "displayName";
    f.config.schema.active_attribute = "mailEnabled";
    f.config.new_account.mailbox_template = "/srv/mail/%d/%l-%s";
    f.config.new_account.uid = 6000;
    f.config.new_account.quota = "5000S";
    auto admin = f.as(site_admin);
    NewAccount account;
    account.name = "Zoe Example";
    auto plan = admin->add_account("Zoe@Example.org", account);
    REQUIRE_MESSAGE(plan.is_found(), plan.reason());
    const Entry& e = plan.value().changes.back().entry;
    CHECK(e.values("displayName") == std::vector<std::string>{"Zoe Example"});
    CHECK_FALSE(e.has("cn"));
    CHECK(e.values("mailEnabled") == std::vector<std::string>{"TRUE"});
    CHECK_FALSE(e.has("accountActive"));
    CHECK(e.values("uidNumber") == std::vector<std::string>{"6000"});
    CHECK(e.values("quota") == std::vector<std::string>{"5000S"}); // a site admin sets quotas
    CHECK(e.values("mail") == std::vector<std::string>{"Zoe@example.org"}); // as given
    REQUIRE(e.values("mailbox").size() == 1);
    CHECK(std::regex_match(e.values("mailbox").front(),
                           std::regex("/srv/mail/example\\.org/zoe-[0-9]{14}-[0-9a-f]{4}")));
}

TEST_CASE("a catch-all never takes an account's mail, even one named like its own alias") {
    // mailrouter's catch-all is the alias "default": an account default@ keeps its mail.
    Fixture f("mailrouter");
    auto admin = f.as(site_admin);
    f.run(*admin, admin->add_account("default@example.net", NewAccount{}));
    f.run(*admin, admin->set_catch_all("example.net", {"carol@example.net"}));
    auto own = f.resolve("default@example.net");
    REQUIRE(own.is_found());
    CHECK(own.value().route == Route::account);
    auto caught = f.resolve("whoever@example.net");
    REQUIRE(caught.is_found());
    CHECK(caught.value().route == Route::catch_all);
    // A catch-all sending to a missing address of its own domain would catch its own mail.
    auto itself = admin->set_catch_all("example.net", {"typo@example.net"});
    CHECK(itself.reason() == "typo@example.net does not exist: the catch-all of example.net "
                             "would send its mail back to itself");
}
