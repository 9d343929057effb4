// The administration commands against a real slapd running the access rules
// `vmaildir acl-rules` generates: the whole SPEC §5 matrix for every actor, once
// through `vmaildir` (decide() first, then the actor's own session) and once
// as the raw LDIF sent with ldapmodify(1) bound as the same actor, so that
// slapd is shown to refuse on its own what decide() refuses; --dry-run LDIF
// giving the directory the real run gives; root over ldapi:// with SASL
// EXTERNAL; mailrouter's role entry, created by a domain admin, deleted only by a
// site admin; and a re-created account whose mail never reaches the old Maildir.
#include "support/postfix.hpp"

#include <doctest/doctest.h>
#include <functional>
#include <optional>
#include <regex>

using namespace vmaildir::test;

namespace {

const std::string base = "o=hosting,dc=example,dc=com";
const std::string site_dn = "cn=siteadmin,dc=example,dc=com";

std::string jamm_dn(const std::string& local, const std::string& domain) {
    return "mail=" + local + "@" + domain + ",jvd=" + domain + "," + base;
}

/// Who acts: a DN and the file holding its password (empty DN: anonymous).
struct Actor {
    std::string name;
    std::string dn;
    std::string password;
};

/// The output of one command.
struct Ran {
    int status = -1;
    std::string out, err;
};

/// A slapd for one preset running the generated access rules, and the tools around it.
class Directory {
public:
    Directory(const std::string& name, const std::string& preset,
              const std::string& extra_config = "", const std::string& harness_options = "")
        : dir_(std::string(VMAILDIR_TEST_WORK_DIR) + "/" + name + "-rules") {
        fs::create_directories(dir_);
        // The rules come from the same configuration the commands read (acl-rules reads no
        // server), so they are written before slapd exists and the port is filled in after.
        write_config(preset, "ldap://127.0.0.1:1/", extra_config);
        run(cli() + " acl-rules > " + shell_quote(dir_ + "/acl.conf"));
        slapd_.emplace(name, preset, false, dir_ + "/acl.conf", harness_options);
        write_config(preset, slapd_->uri(),
                     extra_config + "admin_uri = " + slapd_->ldapi_uri() + "\n");
    }

    const Slapd& slapd() const { return *slapd_; }
    std::string config() const { return dir_ + "/vmaildir.conf"; }
    std::string cli() const {
        return shell_quote(VMAILDIR_CLI) + " -c " + shell_quote(dir_ + "/vmaildir.conf");
    }

    /// `vmaildir ARGS` as `actor` (nullptr: root over ldapi:// with SASL EXTERNAL).
    Ran as(const Actor* actor, const std::string& args) const {
        std::string who;
        if (actor && actor->dn.empty())
            who = " --as ''";
        else if (actor)
            who = " --as " + shell_quote(actor->dn) + " --bind-pw-file " +
                  shell_quote(secret(actor->password));
        return capture(cli() + who + " " + args);
    }

    /// ldapmodify(1) of `ldif` bound as `actor`; its exit status (50: insufficient access).
    int ldapmodify(const Actor& actor, const std::string& ldif) const {
        const std::string file = dir_ + "/change.ldif";
        std::ofstream(file) << ldif;
        std::string bind = actor.dn.empty() ? std::string()
                                            : " -D " + shell_quote(actor.dn) + " -w " +
                                                  shell_quote(actor.password);
        return status_of("ldapmodify -x -H " + slapd_->uri() + bind + " -f " + shell_quote(file));
    }

    /// Every entry below the base, operational attributes left out, in LDIF.
    std::string dump() const {
        return run("ldapsearch -LLL -o ldif-wrap=no -x -H " + slapd_->uri() +
                   " -D cn=Manager,dc=example,dc=com -w secret -b " + shell_quote(base) +
                   " -s sub '(objectClass=*)' '*'");
    }

private:
    void write_config(const std::string& preset, const std::string& uri,
                      const std::string& extra) const {
        write_secret_file(dir_ + "/bind.pw", "vmaildir-secret");
        std::ofstream(dir_ + "/vmaildir.conf")
            << "server_host = " << uri << "\nsearch_base = " << base << "\nschema = " << preset
            << "\nbind_dn = cn=vmaildir,dc=example,dc=com\nbind_pw_file = bind.pw\n"
            << "site_admins = " << site_dn << "\ntimeout = 5s\ncache_size = 0\nlog = stderr\n"
            << extra;
    }
    /// A 0600 file holding `password`.
    std::string secret(const std::string& password) const {
        const std::string file = dir_ + "/pw-" + std::to_string(std::hash<std::string>{}(password));
        std::ofstream(file) << password << "\n";
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        return file;
    }
    Ran capture(const std::string& command) const {
        Ran r;
        const std::string out = dir_ + "/cli.out", err = dir_ + "/cli.err";
        r.status = status_of(command + " > " + shell_quote(out) + " 2> " + shell_quote(err), true);
        r.out = read_file(out);
        r.err = read_file(err);
        return r;
    }

    std::string dir_;
    std::optional<Slapd> slapd_;
};

/// One action of the matrix.  `prepare(tag)` makes what it acts on (as the site admin), and
/// `args(tag)` are its `vmaildir` arguments; each run gets a new tag, so that runs never meet.
struct Action {
    std::string name;
    std::function<std::vector<std::string>(const std::string& tag)> prepare;
    std::function<std::string(const std::string& tag)> args;
};

/// SPEC §5 for the actors of the matrix, on the domain example.net.
enum class Who { site, domain_admin, other_domain_admin, self, anonymous };

} // namespace

TEST_CASE("the SPEC §5 matrix: vmaildir and slapd's generated rules refuse alike") {
    Directory d("admin-matrix", "jamm");
    const Actor site{"site admin", site_dn, "siteadmin-secret"};
    const Actor carol{"domain admin", jamm_dn("carol", "example.net"), "carol-pw"};
    const Actor alice{"another domain's admin", jamm_dn("alice", "example.org"), "alice-pw"};
    const Actor sam{"self", jamm_dn("sam", "example.net"), "sam-pw"};
    const Actor nobody{"anonymous", "", ""};
    std::ofstream(d.slapd().dir() + "/sam.pw") << "sam-pw\n";
    fs::permissions(d.slapd().dir() + "/sam.pw", fs::perms::owner_read | fs::perms::owner_write);
    REQUIRE(d.as(&site, "account add sam@example.net --password-file " +
                            shell_quote(d.slapd().dir() + "/sam.pw"))
                .status == 0);

    auto account = [&](const std::string& tag) {
        return std::vector<std::string>{"account add " + tag + "@example.net --no-password"};
    };
    auto alias = [&](const std::string& tag) {
        return std::vector<std::string>{"alias add " + tag + "@example.net carol@example.net"};
    };
    auto none = [](const std::string&) {
        return std::vector<std::string>{};
    };
    const std::string password_file = d.slapd().dir() + "/new.pw";
    std::ofstream(password_file) << "a-new-password\n";
    fs::permissions(password_file, fs::perms::owner_read | fs::perms::owner_write);

    const std::vector<Action> actions = {
        {"create a domain", none,
         [](const std::string& t) {
             return "domain add " + t + ".test";
         }},
        {"delete a domain",
         [](const std::string& t) { return std::vector<std::string>{"domain add " + t + ".test"}; },
         [](const std::string& t) {
             return "domain delete " + t + ".test";
         }},
        {"set a domain's active flag", none,
         [](const std::string&) {
             return std::string("domain activate example.net");
         }},
        {"set a domain's capabilities", none, nullptr}, // filled in per round below
        {"create an account", none,
         [](const std::string& t) {
             return "account add " + t + "@example.net --no-password";
         }},
        {"delete an account", account,
         [](const std::string& t) {
             return "account delete " + t + "@example.net";
         }},
        {"disable an account", account,
         [](const std::string& t) {
             return "account disable " + t + "@example.net";
         }},
        {"rename an account", account,
         [](const std::string& t) {
             return "account name " + t + "@example.net 'New Name'";
         }},
        {"set a quota", account,
         [](const std::string& t) {
             return "account quota " + t + "@example.net 5000000S";
         }},
        {"set a password", account,
         [&](const std::string& t) {
             return "account password " + t + "@example.net --password-file " +
                    shell_quote(password_file);
         }},
        {"set one's own password", none, // to what it is, so that sam can still bind
         [&](const std::string&) {
             return "account password sam@example.net --password-file " +
                    shell_quote(d.slapd().dir() + "/sam.pw");
         }},
        {"create an alias", none,
         [](const std::string& t) {
             return "alias add " + t + "@example.net carol@example.net";
         }},
        {"delete an alias", alias,
         [](const std::string& t) {
             return "alias delete " + t + "@example.net";
         }},
        {"change an alias's destinations", alias,
         [](const std::string& t) {
             return "alias set " + t + "@example.net carol@example.net sam@example.net";
         }},
        {"change one's own destinations", none,
         [](const std::string&) {
             return std::string("alias set sam@example.net sam@example.net carol@example.net");
         }},
        {"set the catch-all", none,
         [](const std::string&) {
             return std::string("catchall set example.net carol@example.net");
         }},
        {"appoint a postmaster", account,
         [](const std::string& t) {
             return "postmaster appoint example.net " + t + "@example.net";
         }},
        {"revoke a postmaster",
         [](const std::string& t) {
             return std::vector<std::string>{"account add " + t + "@example.net --no-password",
                                             "postmaster appoint example.net " + t +
                                                 "@example.net"};
         },
         [](const std::string& t) {
             return "postmaster revoke example.net " + t + "@example.net";
         }},
    };

    // The matrix (SPEC §5), for a domain admin of example.net whose domain has the two
    // capabilities given, and the other actors.
    auto allowed = [](Who who, const std::string& action, bool edit_accounts,
                      bool edit_postmasters) {
        switch (who) {
        case Who::site:
            return true;
        case Who::domain_admin:
            if (action.find("domain") != std::string::npos)
                return false;
            if (action == "create an account" || action == "delete an account")
                return edit_accounts;
            if (action == "appoint a postmaster" || action == "revoke a postmaster")
                return edit_postmasters;
            return action != "set a quota"; // domain_admin_sets_quota is off
        case Who::self:
            return action == "set one's own password" || action == "change one's own destinations";
        case Who::other_domain_admin:
        case Who::anonymous:
            return false;
        }
        return false;
    };

    int serial = 0;
    for (auto [edit_accounts, edit_postmasters] :
         {std::pair{true, true}, std::pair{false, false}, std::pair{true, false},
          std::pair{false, true}}) {
        const std::string caps = std::string(" --edit-accounts ") + (edit_accounts ? "yes" : "no") +
                                 " --edit-postmasters " + (edit_postmasters ? "yes" : "no");
        REQUIRE(d.as(&site, "domain capabilities example.net" + caps).status == 0);
        for (const auto& [actor, who] :
             std::vector<std::pair<const Actor*, Who>>{{&site, Who::site},
                                                       {&carol, Who::domain_admin},
                                                       {&alice, Who::other_domain_admin},
                                                       {&sam, Who::self},
                                                       {&nobody, Who::anonymous}}) {
            // The other actors are tried once, with the domain's capabilities as they are.
            if (who != Who::domain_admin && !(edit_accounts && edit_postmasters))
                continue;
            for (const Action& action : actions) {
                const bool expected = allowed(who, action.name, edit_accounts, edit_postmasters);
                CAPTURE(actor->name);
                CAPTURE(action.name);
                CAPTURE(edit_accounts);
                CAPTURE(edit_postmasters);
                auto args = [&](const std::string& tag) {
                    if (action.args)
                        return action.args(tag);
                    return "domain capabilities example.net" + caps; // as they are: no change
                };
                auto prepare = [&](const std::string& tag) {
                    for (const std::string& step : action.prepare(tag)) {
                        Ran r = d.as(&site, step);
                        REQUIRE_MESSAGE(r.status == 0, std::string(step + ": " + r.err));
                    }
                };

                // Through vmaildir: decide() first, then the actor's own session.
                const std::string tag = "m" + std::to_string(++serial);
                prepare(tag);
                Ran r = d.as(actor, args(tag));
                CAPTURE(r.err);
                CHECK(r.status == (expected ? 0 : 1));
                if (!expected)
                    CHECK(r.err.find("denied: ") != std::string::npos);

                // The same change as raw LDIF (the site admin's --dry-run), sent by the actor.
                const std::string raw_tag = "r" + std::to_string(serial);
                prepare(raw_tag);
                Ran ldif = d.as(&site, "--dry-run " + args(raw_tag));
                REQUIRE_MESSAGE(ldif.status == 0, ldif.err);
                const int rc = d.ldapmodify(*actor, ldif.out);
                CAPTURE(ldif.out);
                if (expected)
                    CHECK(rc == 0);
                else if (who == Who::anonymous) // slapd: "modifications require authentication"
                    CHECK(rc == 8);
                else
                    CHECK(rc == 50); // insufficientAccessRights, not some other refusal
            }
        }
    }
    // Reading: everyone reads what is not secret (anonymous_read is on); nobody reads a hash,
    // through vmaildir or asking slapd for it directly, not even one's own.
    for (const Actor* actor : {&site, &carol, &alice, &sam, &nobody}) {
        CAPTURE(actor->name);
        Ran r = d.as(actor, "--json account show carol@example.net");
        CHECK(r.status == 0);
        CHECK(r.out.find("\"mailbox\"") != std::string::npos);
        CHECK(r.out.find("userPassword") == std::string::npos);
        CHECK(r.out.find("{CRYPT}") == std::string::npos);
        const std::string bind = actor->dn.empty() ? std::string()
                                                   : " -D " + shell_quote(actor->dn) + " -w " +
                                                         shell_quote(actor->password);
        for (const std::string& whose : {carol.dn, sam.dn}) {
            std::string raw =
                run("ldapsearch -LLL -x -H " + d.slapd().uri() + bind + " -b " +
                    shell_quote(whose) + " -s base '(objectClass=*)' userPassword mail");
            CHECK(raw.find("mail: ") != std::string::npos);
            CHECK(raw.find("userPassword") == std::string::npos);
        }
    }
    // The service identity (bind_dn) reads a hash, for auth_method = compare, and sets no
    // one's password: whoever holds bind_pw_file cannot take over an account or an admin.
    const Actor service{"the service", "cn=vmaildir,dc=example,dc=com", "vmaildir-secret"};
    const std::string hash =
        run("ldapsearch -LLL -o ldif-wrap=no -x -H " + d.slapd().uri() + " -D " +
            shell_quote(service.dn) + " -w " + shell_quote(service.password) + " -b " +
            shell_quote(carol.dn) + " -s base '(objectClass=*)' userPassword");
    CAPTURE(hash);
    CHECK(hash.find("userPassword:") != std::string::npos); // ldapsearch gives it in base64
    for (const Actor* whose : {&carol, &site})
        CHECK(d.ldapmodify(service, "dn: " + whose->dn +
                                        "\nchangetype: modify\nreplace: userPassword\n"
                                        "userPassword: taken-over\n") == 50);
}

TEST_CASE("--dry-run LDIF applied with ldapmodify gives the directory the real run gives") {
    Directory real("admin-real", "jamm"), dry("admin-dry", "jamm");
    const Actor site{"site admin", site_dn, "siteadmin-secret"};
    const std::vector<std::string> script = {
        "domain add new.test --postmaster-to alice@example.org --transport smtp:[relay.test]",
        "account add zoe@new.test --name 'Zoe New' --no-password",
        "account add yan@new.test --no-password --quota 1000S",
        "alias add team@new.test zoe@new.test yan@new.test",
        "catchall set new.test team@new.test",
        "postmaster appoint new.test zoe@new.test",
        "account delete yan@new.test",
        "account add yan@new.test --no-password",
        "alias set team@new.test zoe@new.test",
        "postmaster revoke new.test zoe@new.test",
        "account disable zoe@new.test",
        "domain capabilities new.test --edit-accounts no",
        "catchall clear new.test",
        "alias delete team@new.test",
        "domain delete example.net --recursive",
    };
    for (const std::string& step : script) {
        CAPTURE(step);
        Ran planned = dry.as(&site, "--dry-run " + step);
        REQUIRE_MESSAGE(planned.status == 0, planned.err);
        REQUIRE(dry.ldapmodify(site, planned.out) == 0);
        Ran done = real.as(&site, step);
        REQUIRE_MESSAGE(done.status == 0, done.err);
    }
    // The two directories differ only in the stamps that make mailbox paths unique.
    const std::regex stamp("\\.[0-9]{14}-[0-9a-f]{4}/");
    const std::string a = std::regex_replace(real.dump(), stamp, ".STAMP/");
    const std::string b = std::regex_replace(dry.dump(), stamp, ".STAMP/");
    CHECK(a == b);
    CHECK(a.find("mail=yan@new.test") != std::string::npos);
}

TEST_CASE("root administers over ldapi:// with SASL EXTERNAL") {
    // slapd maps root's peer credentials to the site admin's DN (authz-regexp).
    Directory d("admin-external", "jamm", "", "--root-as=" + site_dn);
    Ran made = d.as(nullptr, "domain add root.test --postmaster-to alice@example.org");
    CHECK_MESSAGE(made.status == 0, made.err);
    Ran listed = d.as(nullptr, "--json domain show root.test");
    CHECK(listed.status == 0);
    CHECK(listed.out.find("\"name\": \"root.test\"") != std::string::npos);
    // Someone slapd does not know is refused by slapd, before decide() is asked.
    const Actor stranger{"stranger", "cn=nobody,dc=example,dc=com", "guess"};
    Ran refused = d.as(&stranger, "domain list");
    CHECK(refused.status == 1);
    CHECK(refused.err.find("Invalid credentials") != std::string::npos);
}

TEST_CASE(
    "courier and mailrouter: the site admin administers, a domain admin is held to its rights") {
    for (const char* preset : {"courier", "mailrouter"}) {
        CAPTURE(preset);
        Directory d(std::string("admin-") + preset, preset);
        const Actor site{"site admin", site_dn, "siteadmin-secret"};
        const std::string carol = std::string(preset) == "courier"
                                      ? "mail=carol@example.net,o=example.net," + base
                                      : "uid=carol,dc=example.net," + base;
        const Actor admin{"domain admin", carol, "carol-pw"};
        for (const char* step :
             {"domain add new.test --postmaster-to carol@example.net",
              "account add zoe@new.test --no-password", "alias add team@new.test zoe@new.test",
              "catchall set new.test zoe@new.test", "postmaster appoint new.test zoe@new.test",
              "postmaster revoke new.test zoe@new.test", "account delete zoe@new.test",
              "alias delete team@new.test", "domain delete new.test --recursive"}) {
            CAPTURE(step);
            Ran r = d.as(&site, step);
            CHECK_MESSAGE(r.status == 0, r.err);
        }
        // The domain admin of example.net: aliases yes, accounts per edit_accounts_default
        // (yes), postmasters per edit_postmasters_default (no), nothing in another domain.
        CHECK(d.as(&admin, "alias add crew@example.net carol@example.net").status == 0);
        CHECK(d.as(&admin, "account add kim@example.net --no-password").status == 0);
        CHECK(d.as(&admin, "postmaster appoint example.net kim@example.net").status == 1);
        CHECK(d.as(&admin, "account add kim@example.org --no-password").status == 1);
        Ran raw = d.as(&site, "--dry-run account add lee@example.org --no-password");
        REQUIRE(raw.status == 0);
        CHECK(d.ldapmodify(admin, raw.out) == 50);
    }
}

TEST_CASE("mailrouter with edit_postmasters_default = yes: a domain admin creates the role "
          "entry, and only a site admin deletes it") {
    // The layout has no editPostmasters attribute: the default decides for every domain, in
    // decide() and in slapd's rules alike.  The domain's postmaster account administers it
    // before any cn=admin group exists.
    Directory d("admin-mailrouter-roles", "mailrouter", "edit_postmasters_default = yes\n");
    const Actor site{"site admin", site_dn, "siteadmin-secret"};
    const Actor carol{"domain admin", "uid=carol,dc=example.net," + base, "carol-pw"};
    const Actor pm{"postmaster account", "uid=postmaster,dc=new.test," + base, "pm-secret"};
    const std::string pw_file = std::string(VMAILDIR_TEST_WORK_DIR) + "/admin-pm.pw";
    write_secret_file(pw_file, pm.password);
    for (const std::string& step : std::vector<std::string>{
             "domain add new.test", "account add postmaster@new.test --password-file " + pw_file}) {
        Ran r = d.as(&site, step);
        REQUIRE_MESSAGE(r.status == 0, step << ": " << r.err);
    }
    REQUIRE(d.as(&pm, "account add zoe@new.test --no-password").status == 0);
    // The first appointment adds cn=admin,dc=new.test: allowed, and slapd agrees.
    Ran first = d.as(&pm, "postmaster appoint new.test zoe@new.test");
    CHECK_MESSAGE(first.status == 0, first.err);
    CHECK(d.dump().find("dn: cn=admin,dc=new.test," + base) != std::string::npos);

    // Revoking the last occupant deletes the group: refused by vmaildir, and by slapd to the
    // raw LDIF; the site admin may.
    Ran last = d.as(&pm, "postmaster revoke new.test zoe@new.test");
    CHECK(last.status == 1);
    CHECK(last.err.find("only a site admin deletes") != std::string::npos);
    Ran raw = d.as(&site, "--dry-run postmaster revoke new.test zoe@new.test");
    REQUIRE(raw.status == 0);
    REQUIRE(raw.out.find("changetype: delete") != std::string::npos);
    CHECK(d.ldapmodify(pm, raw.out) == 50);
    // Deleting that account would take the group with it: the same refusal.
    CHECK(d.as(&pm, "account delete zoe@new.test").status == 1);
    CHECK(d.as(&site, "postmaster revoke new.test zoe@new.test").status == 0);

    // With more than one occupant, revoking is a modification a domain admin may make.
    CHECK(d.as(&carol, "account add kim@example.net --no-password").status == 0);
    CHECK(d.as(&carol, "postmaster appoint example.net kim@example.net").status == 0);
    CHECK(d.as(&carol, "postmaster revoke example.net kim@example.net").status == 0);
    CHECK(d.as(&carol, "postmaster revoke example.net carol@example.net").status == 1);
}

TEST_CASE("a re-created account never receives mail in the old account's Maildir") {
    // Root acts over ldapi:// (the harness maps it to cn=vmaildir, which its own rules let
    // write), made a site admin here; Postfix delivers through vmaildir-postfix and virtual(8).
    PostfixHost h("admin-mailbox");
    std::ofstream(h.dir + "/vmaildir.conf", std::ios::app)
        << "site_admins = cn=vmaildir,dc=example,dc=com\nadmin_uri = " << h.slapd.ldapi_uri()
        << "\n";
    const std::string cli =
        shell_quote(VMAILDIR_CLI) + " -c " + shell_quote(h.dir + "/vmaildir.conf") + " ";
    auto mailbox = [&] {
        std::string json = run(cli + "--json account show zoe@example.org");
        std::smatch m;
        REQUIRE(std::regex_search(json, m, std::regex("\"mailbox\": \"([^\"]+)\"")));
        return m[1].str();
    };
    run(cli + "account add zoe@example.org --no-password");
    const std::string first = mailbox();
    CHECK(h.send("zoe@example.org", "for the first zoe").replied("250"));
    REQUIRE(h.drained());
    CHECK(h.postfix->messages(first) == 1);

    run(cli + "account delete zoe@example.org");
    CHECK(h.send("zoe@example.org", "for nobody").replied("550"));

    run(cli + "account add zoe@example.org --no-password");
    const std::string second = mailbox();
    CHECK(second != first);
    CHECK(h.send("zoe@example.org", "for the second zoe").replied("250"));
    REQUIRE(h.drained());
    CHECK(h.postfix->messages(first) == 1); // the old Maildir got nothing more
    CHECK_FALSE(h.postfix->maildir_contains(first, "for the second zoe"));
    CHECK(h.postfix->messages(second) == 1);
    CHECK(h.postfix->maildir_contains(second, "for the second zoe"));
    CHECK_FALSE(h.postfix->maildir_contains(second, "for the first zoe"));
}
