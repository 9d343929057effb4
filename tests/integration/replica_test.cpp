// The replica against a real slapd with the syncprov overlay: vmaildir-replica
// keeps the store, and the vmaildir CLI, vmaildir-postfix (read with postmap
// -q over socketmap) and an in-process Service answer from it.  Every change
// is polled for (no fixed sleeps); every outage must end in answers from the
// copy or temporary failures, never in a wrong "not found".
#include "support/example_rows.hpp"
#include "support/exim.hpp"
#include "support/milter.hpp"
#include "support/postfix.hpp"
#include "support/replica.hpp"
#include "support/slapd.hpp"
#include "vmaildir/service/config_file.hpp"
#include "vmaildir/service/service.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <unistd.h>

using namespace vmaildir;
using namespace vmaildir::test;
namespace fs = std::filesystem;

namespace {

using Keys = std::map<std::string, std::string>;
const std::string base = "o=hosting,dc=example,dc=com";
const std::string org = "jvd=example.org," + base;

/// DIR/NAME.conf for `slapd` with `replica = NAME-store` and `extra`.
std::string write_config(const Slapd& slapd, const std::string& preset, const std::string& name,
                         const Keys& extra = {}) {
    write_secret_file(slapd.dir() + "/bind.pw", "vmaildir-secret");
    Keys keys{{"server_host", slapd.uri()}, {"search_base", base},
              {"schema", preset},           {"bind_dn", "cn=vmaildir,dc=example,dc=com"},
              {"bind_pw_file", "bind.pw"},  {"timeout", "2s"},
              {"connect_timeout", "1s"},    {"log", "stderr"},
              {"replica", name + "-store"}};
    for (const auto& [k, v] : extra)
        keys[k] = v;
    std::string path = slapd.dir() + "/" + name + ".conf";
    std::ofstream out(path);
    for (const auto& [k, v] : keys)
        out << k << " = " << v << "\n";
    return path;
}

/// The jamm account `local`@example.org, as LDIF to add.
std::string new_account(const std::string& local, const std::string& password = "") {
    return "dn: mail=" + local + "@example.org," + org +
           "\nchangetype: add\nobjectClass: top\nobjectClass: JammMailAccount\n"
           "mail: " +
           local +
           "@example.org\nhomeDirectory: /var/mail/vhosts\n"
           "mailbox: example.org/" +
           local + "/\nuidNumber: 5000\ngidNumber: 5000\n" +
           (password.empty() ? "" : "userPassword: " + password + "\n") +
           "accountActive: TRUE\ndelete: FALSE\n";
}

/// `vmaildir -c CONF lookup MAP KEY`: {exit status, output}.
std::pair<int, std::string> cli(const std::string& config, const std::string& map,
                                const std::string& key) {
    std::string out = config + ".out";
    int rc = status_of(std::string(VMAILDIR_CLI) + " -c " + shell_quote(config) + " lookup " + map +
                           " " + shell_quote(key) + " >" + shell_quote(out) + " 2>&1",
                       true);
    return {rc, read_file(out)};
}

/// postmap -q through vmaildir-postfix's socketmap, with an empty main.cf.
struct Postmap {
    explicit Postmap(const std::string& dir) : dir_(dir + "/postmap-etc") {
        fs::create_directories(dir_);
        std::ofstream(dir_ + "/main.cf") << "";
    }
    std::pair<int, std::string> operator()(const std::string& table, const std::string& key) {
        std::string out = dir_ + "/out";
        int rc = status_of("postmap -c " + shell_quote(dir_) + " -q " + shell_quote(key) + " " +
                               shell_quote(table) + " >" + shell_quote(out) + " 2>&1",
                           true);
        return {rc, read_file(out)};
    }
    std::string dir_;
};

/// Polls until `check` holds, for at most `limit` (a loaded machine may need more than the
/// second the replica takes; the benchmark measures that).
template <class F> bool soon(F check, std::chrono::milliseconds limit = std::chrono::seconds(5)) {
    return wait_for(check, limit);
}

struct Opened {
    std::unique_ptr<Logger> log = make_stderr_logger("replica_test");
    std::unique_ptr<Service> service;
    explicit Opened(const std::string& path) {
        log->set_threshold(LogLevel::error);
        service = Service::open(load_config(path), *log);
    }
    Service* operator->() { return service.get(); }
};

} // namespace

TEST_CASE("replica: every preset answers from the copy as from slapd") {
    for (const std::string preset : {"jamm", "courier", "mailrouter"}) {
        CAPTURE(preset);
        Slapd slapd("replica-" + preset, preset, false, "", "--syncprov");
        std::string bind = write_config(slapd, preset, "bind");
        std::string compare = write_config(slapd, preset, "compare", {{"auth_method", "compare"}});
        ReplicaDaemon bind_replica(bind, slapd.dir() + "/replica-bind.log");
        ReplicaDaemon compare_replica(compare, slapd.dir() + "/replica-compare.log");
        Opened s(bind);
        CHECK(s->describe().find("replica:") == 0);
        for (const Row& row : example_rows) {
            if (!applies(row, preset))
                continue;
            std::string name = row.name;
            CAPTURE(name);
            auto r = s->lookup(*parse_map_name(row.map), row.key);
            CHECK_MESSAGE(r.outcome() == row.outcome, r.reason());
            if (row.outcome == Outcome::found && r.is_found())
                CHECK(r.value() == row.values);
        }
        // Passwords: bound at slapd (bind), or checked against the copied hash (compare).
        for (const std::string& config : {bind, compare}) {
            Opened auth(config);
            CAPTURE(config);
            CHECK(auth->authenticate("alice@example.org", "alice-pw", "imap").is_found());
            CHECK(auth->authenticate("alice@example.org", "wrong", "imap").is_not_found());
            CHECK(auth->authenticate("nobody@example.org", "x", "imap").is_not_found());
        }
        auto accounts = s->accounts();
        REQUIRE_MESSAGE(accounts.is_found(), accounts.reason());
        CHECK(accounts.value().size() == (preset == "courier" ? 5u : 4u));
        // Only the compare store holds password hashes.
        CHECK(status_of("grep -q -a 'CRYPT' " +
                        shell_quote(slapd.dir() + "/bind-store/data.mdb")) != 0);
        CHECK(status_of("grep -q -a 'CRYPT' " +
                        shell_quote(slapd.dir() + "/compare-store/data.mdb")) == 0);
    }
}

TEST_CASE("replica: directory changes reach postmap, the CLI and a running service") {
    Slapd slapd("replica-changes", "jamm", false, "", "--syncprov");
    std::string config = write_config(slapd, "jamm", "vmaildir");
    ReplicaDaemon replica(config, slapd.dir() + "/replica.log");
    TableDaemon daemon(slapd.dir(), config); // runs as nobody: reads the store through nogroup
    Postmap postmap(slapd.dir());
    Opened s(config); // caches on (the default): a change must reach them at once
    auto mailbox = [&](const std::string& key) {
        return postmap(daemon.table("mailbox"), key);
    };
    auto alias = [&](const std::string& key) {
        return postmap(daemon.table("alias"), key);
    };
    REQUIRE(mailbox("alice@example.org") == std::pair<int, std::string>{0, "example.org/alice/"});
    CHECK(s->lookup(MapName::mailbox, "zed@example.org").is_not_found()); // cached "no"

    // A new account.
    slapd.modify(new_account("zed", "zed-pw"));
    CHECK(soon([&] { return mailbox("zed@example.org").first == 0; }));
    CHECK(cli(config, "mailbox", "zed@example.org") ==
          std::pair<int, std::string>{0, "example.org/zed/"});
    CHECK(soon([&] { return s->lookup(MapName::mailbox, "zed@example.org").is_found(); }));

    // Disabled, then deleted.
    slapd.modify("dn: mail=zed@example.org," + org +
                 "\nchangetype: modify\nreplace: accountActive\naccountActive: FALSE\n");
    CHECK(soon([&] { return mailbox("zed@example.org").first == 1; }));
    CHECK(soon([&] { return s->lookup(MapName::mailbox, "zed@example.org").is_not_found(); }));
    slapd.modify("dn: mail=zed@example.org," + org +
                 "\nchangetype: modify\nreplace: accountActive\naccountActive: TRUE\n");
    CHECK(soon([&] { return mailbox("zed@example.org").first == 0; }));
    slapd.modify("dn: mail=zed@example.org," + org + "\nchangetype: delete\n");
    CHECK(soon([&] { return mailbox("zed@example.org").first == 1; }));
    CHECK(cli(config, "mailbox", "zed@example.org").first == 1);

    // An alias's destinations.
    CHECK(alias("info@example.org") ==
          std::pair<int, std::string>{0, "alice@example.org,bob@example.org"});
    slapd.modify("dn: mail=info@example.org," + org +
                 "\nchangetype: modify\nreplace: maildrop\nmaildrop: frank@example.org\n");
    CHECK(soon([&] { return alias("info@example.org").second == "frank@example.org"; }));
    auto expanded = s->lookup(MapName::alias, "info@example.org");
    REQUIRE(expanded.is_found());
    CHECK(expanded.value() == std::vector<std::string>{"frank@example.org"});

    // A catch-all for example.org: unknown addresses there now resolve to it, real ones do not.
    CHECK(alias("nobody@example.org").first == 1);
    slapd.modify("dn: mail=@example.org," + org +
                 "\nchangetype: add\nobjectClass: top\nobjectClass: JammMailAlias\n"
                 "mail: @example.org\nmaildrop: bob@example.org\naccountActive: TRUE\n"
                 "delete: FALSE\n");
    CHECK(soon([&] { return alias("nobody@example.org").second == "bob@example.org"; }));
    CHECK(alias("alice@example.org").second == "alice@example.org");

    // A password change: binds go to slapd, and the verified-login cache of a running service
    // forgets the old password as soon as the entry changes in the copy.
    CHECK(s->authenticate("alice@example.org", "alice-pw", "imap").is_found());
    slapd.modify("dn: mail=alice@example.org," + org +
                 "\nchangetype: modify\nreplace: userPassword\nuserPassword: alice-new\n");
    CHECK(soon(
        [&] { return s->authenticate("alice@example.org", "alice-pw", "imap").is_not_found(); }));
    CHECK(s->authenticate("alice@example.org", "alice-new", "imap").is_found());

    // Six changes, no restart: still the one session of the start.
    CHECK(replica.refreshes() == 1);
    CHECK(replica.count("refreshing from") == 1);
}

TEST_CASE("replica: the provider down, then back; a restart resumes with a delta") {
    Slapd slapd("replica-outage", "jamm", false, "", "--syncprov");
    std::string config = write_config(slapd, "jamm", "vmaildir", {{"auth_method", "compare"}});
    ReplicaDaemon replica(config, slapd.dir() + "/replica.log");
    TableDaemon daemon(slapd.dir(), config);
    Postmap postmap(slapd.dir());

    slapd.stop();
    CHECK(soon([&] { return replica.count("answering from the copy") > 0; }));
    // Lookups and (compare) logins answer from the copy; unknown addresses are still unknown.
    CHECK(postmap(daemon.table("mailbox"), "alice@example.org") ==
          std::pair<int, std::string>{0, "example.org/alice/"});
    CHECK(postmap(daemon.table("alias"), "info@example.org").first == 0);
    CHECK(postmap(daemon.table("mailbox"), "nobody@example.org").first == 1);
    CHECK(cli(config, "mailbox", "alice@example.org").first == 0);
    {
        Opened s(config);
        CHECK(s->authenticate("bob@example.org", "bob-pw", "pop3").is_found());
        CHECK(s->authenticate("bob@example.org", "wrong", "pop3").is_not_found());
    }

    // Back: the daemon reconnects and resumes from its cookie: nothing to send.
    slapd.restart();
    CHECK(soon([&] { return replica.refreshes() == 2; }, std::chrono::seconds(15)));
    CHECK(replica.last_received() == 0);

    // Two changes while the daemon is down: a restart receives those two, not the directory.
    CHECK(replica.stop() == 0);
    slapd.modify("dn: mail=bob@example.org," + org +
                 "\nchangetype: modify\nreplace: mailbox\nmailbox: example.org/bob2/\n");
    slapd.modify("dn: mail=sales@example.org," + org + "\nchangetype: delete\n");
    replica.start();
    CHECK(replica.log().find("resuming from the stored cookie") != std::string::npos);
    CHECK(replica.last_received() == 1);
    CHECK(replica.last_refresh().find("1 deleted") != std::string::npos);
    CHECK(cli(config, "mailbox", "bob@example.org").second == "example.org/bob2/");
    CHECK(cli(config, "alias", "sales@example.org").first == 1);
}

TEST_CASE("replica: refreshOnly polling (--poll) for a provider without persist") {
    Slapd slapd("replica-poll", "jamm", false, "", "--syncprov");
    std::string config = write_config(slapd, "jamm", "vmaildir");
    ReplicaDaemon replica(config, slapd.dir() + "/replica.log", true, "nogroup", {"--poll", "1"});
    slapd.modify(new_account("zed"));
    CHECK(soon([&] { return cli(config, "mailbox", "zed@example.org").first == 0; }));
    slapd.modify("dn: mail=zed@example.org," + org + "\nchangetype: delete\n");
    CHECK(soon([&] { return cli(config, "mailbox", "zed@example.org").first == 1; }));
    CHECK(replica.refreshes() >= 3); // one session per round, each resumed from the cookie
    CHECK(replica.count("(full refresh)") == 1);
}

TEST_CASE("replica: no store, an unfilled, deleted, truncated or stale one defers, never says no") {
    Slapd slapd("replica-store", "jamm", false, "", "--syncprov");
    std::string config = write_config(slapd, "jamm", "vmaildir", {{"replica_max_stale", "2s"}});
    const std::string store = slapd.dir() + "/vmaildir-store";
    auto alice = [&] {
        return cli(config, "mailbox", "alice@example.org").first;
    };

    // Before any refresh: no store, then a store that is not filled yet (slapd down).
    CHECK(alice() == 75);
    slapd.stop();
    ReplicaDaemon replica(config, slapd.dir() + "/replica.log", false);
    CHECK(soon([&] { return fs::exists(store + "/data.mdb"); }));
    CHECK(alice() == 75);
    CHECK(cli(config, "mailbox", "nobody@example.org").first == 75);
    slapd.restart();
    CHECK(soon([&] { return alice() == 0; }, std::chrono::seconds(15)));

    // Deleted, or truncated, while the daemon runs: only answers from the copy or temporary
    // failures, then a full refresh.
    for (const std::string what : {"delete", "truncate"}) {
        CAPTURE(what);
        std::size_t refreshes = replica.refreshes();
        if (what == "delete")
            fs::remove_all(store);
        else
            REQUIRE(truncate((store + "/data.mdb").c_str(), 8192) == 0);
        bool never_no = true;
        CHECK(soon([&] {
            int rc = alice();
            never_no = never_no && rc != 1;
            return replica.refreshes() > refreshes && rc == 0;
        }));
        CHECK(never_no);
        CHECK(replica.log().find("(full refresh)") != std::string::npos);
    }

    // Deleted while the daemon is down: temporary failures until it has refilled it.
    CHECK(replica.stop() == 0);
    fs::remove_all(store);
    CHECK(alice() == 75);
    replica.start();
    CHECK(alice() == 0);

    // The provider gone for longer than replica_max_stale (2s): temporary failures.
    slapd.stop();
    CHECK(soon([&] { return alice() == 75; }, std::chrono::seconds(15)));
    CHECK(cli(config, "mailbox", "alice@example.org").second.find("replica_max_stale") !=
          std::string::npos);
    // `vmaildir check` shows the lag.
    std::string out = slapd.dir() + "/check.out";
    CHECK(status_of(std::string(VMAILDIR_CLI) + " -c " + shell_quote(config) + " check >" +
                        shell_quote(out) + " 2>&1",
                    true) == 75);
    CHECK(read_file(out).find("answering temporary failures") != std::string::npos);
    slapd.restart();
    CHECK(soon([&] { return alice() == 0; }, std::chrono::seconds(15)));
}

/// One mail host of a replica deployment, laid out as examples/postfix/master-replica.cf
/// says: vmaildir-replica, vmaildir-postfix (socketmap) under Postfix's spool, lmdb-tables
/// following the store, and Postfix delivering through it.  `config` names the replica.
struct ReplicaHost {
    ReplicaHost(const std::string& dir_, const std::string& config_)
        : dir(dir_), config(config_), tables(dir + "/tables"),
          replica(config, dir + "/replica.log"),
          pf(dir + "/postfix", example_main_cf(dir + "/postfix/vmail"),
             example_virtual_options(tables, "master-replica.cf", "/var/lib/vmaildir/postfix"),
             true) {
        // Written once, then kept following the store.
        run(std::string(VMAILDIR_POSTFIX_DAEMON) + " lmdb-tables -c " + shell_quote(config) +
            " --directory " + shell_quote(tables) + " --postfix-config " +
            shell_quote(pf.config_dir()) + " --log stderr 2>" +
            shell_quote(dir + "/lmdb-tables-once.log"));
        REQUIRE(fs::exists(tables + "/vmaildir-mailbox.lmdb"));
        follow.emplace(std::vector<std::string>{VMAILDIR_POSTFIX_DAEMON, "lmdb-tables", "--follow",
                                                "-c", config, "--directory", tables,
                                                "--postfix-config", pf.config_dir(), "--log",
                                                "stderr"},
                       dir + "/lmdb-tables.log");
        daemon.emplace(dir, config, pf.queue_dir() + "/private/vmaildir");
    }
    Swaks send(const std::string& to, const std::string& body) const {
        return pf.swaks("--from sender@sender.test --to " + shell_quote(to) + " --body " +
                        shell_quote(body));
    }
    bool drained() const {
        return wait_for([&] { return pf.queued() == 0; }, std::chrono::seconds(20));
    }
    /// Whether virtual(8)'s table has the address.
    bool delivers_to(const std::string& address) const {
        return pf.postmap(address, "lmdb:" + tables + "/vmaildir-mailbox").first == 0;
    }

    std::string dir, config, tables;
    ReplicaDaemon replica;
    PostfixInstance pf;
    std::optional<Process> follow;
    std::optional<TableDaemon> daemon;
};

TEST_CASE("replica: Postfix delivers through lmdb: tables that follow the replica, LDAP down") {
    Slapd slapd("replica-postfix", "jamm", false, "", "--syncprov");
    ReplicaHost h(slapd.dir(), write_config(slapd, "jamm", "vmaildir"));
    PostfixInstance& pf = h.pf;
    const std::string& tables = h.tables;
    auto send = [&](const std::string& to, const std::string& body) {
        return h.send(to, body);
    };
    auto drained = [&] {
        return h.drained();
    };

    CHECK(send("alice@example.org", "first").replied("250 2.0.0"));
    CHECK(send("zed@example.org", "too early").replied("550 5.1.1"));
    REQUIRE(drained());
    CHECK(pf.maildir_contains("example.org/alice/", "first"));

    // A new account: accepted, and delivered to its own Maildir, as soon as it is replicated.
    slapd.modify(new_account("zed"));
    CHECK(soon([&] {
        return pf.postmap("zed@example.org", "lmdb:" + tables + "/vmaildir-mailbox").first == 0;
    }));
    CHECK(send("zed@example.org", "welcome zed").replied("250 2.0.0"));
    REQUIRE(drained());
    CHECK(pf.maildir_contains("example.org/zed/", "welcome zed"));

    // A moved mailbox (a blank in its path, which postmap keeps inside a value): the next
    // message goes to the new place.
    slapd.modify("dn: mail=bob@example.org," + org +
                 "\nchangetype: modify\nreplace: mailbox\nmailbox: example.org/bob moved/\n");
    CHECK(soon([&] {
        return pf.postmap("bob@example.org", "lmdb:" + tables + "/vmaildir-mailbox").second ==
               "example.org/bob moved/";
    }));
    CHECK(send("bob@example.org", "to the new box").replied("250 2.0.0"));
    REQUIRE(drained());
    CHECK(pf.maildir_contains("example.org/bob moved/", "to the new box"));

    // LDAP down: accepted and delivered all the same, from the replica and its tables.
    slapd.stop();
    for (const char* to : {"alice@example.org", "info@example.org", "carol+x@example.net"})
        CHECK(send(to, std::string("during the outage to ") + to).replied("250 2.0.0"));
    CHECK(send("nobody@example.org", "unknown").replied("550 5.1.1"));
    REQUIRE(drained());
    CHECK(pf.maildir_contains("example.org/alice/", "during the outage to alice@example.org"));
    CHECK(pf.maildir_contains("example.org/bob moved/", "during the outage to info@example.org"));
    CHECK(pf.maildir_contains("example.net/carol/", "during the outage to carol+x@example.net"));
    std::string log = pf.log();
    CHECK(log.find("status=bounced") == std::string::npos);
    CHECK(log.find("status=deferred") == std::string::npos);
}

TEST_CASE("replica: Exim and the milter answer from the copy, changes included, LDAP down") {
    Slapd slapd("replica-exim-milter", "jamm", false, "", "--syncprov");
    const std::string dir = slapd.dir();
    std::string config = write_config(slapd, "jamm", "vmaildir");
    ReplicaDaemon replica(config, dir + "/replica.log");
    LookupDaemon lookups(dir, config);
    EximInstance exim(dir + "/exim", {{"VMAILDIR_SOCKET", lookups.socket()},
                                      {"VMAILDIR_AUTH_SOCKET", lookups.auth_socket()},
                                      {"VMAILDIR_TIMEOUT", "5s"},
                                      {"AUTH_ADVERTISE_HOSTS", "*"}});
    const std::string socket = "inet:" + std::to_string(free_port()) + "@127.0.0.1";
    MilterDaemon milter(dir, config, socket);
    const std::string scripts = std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/milter";
    int runs = 0;
    auto rcpt = [&](const std::string& to) { // the milter's answer to RCPT TO:<to>
        std::string out = dir + "/envelope-" + std::to_string(++runs) + ".out";
        auto [rc, text] = miltertest("envelope.lua",
                                     {"socket=" + socket, "dir=" + scripts,
                                      "from=<sender@sender.test>", "rcpts=<" + to + ">"},
                                     out);
        auto at = text.find("RCPT <" + to + "> ");
        return rc == 0 && at != std::string::npos ? text.substr(at + to.size() + 8, 8) : text;
    };
    auto send = [&](const std::string& to, const std::string& body) {
        return exim.swaks("--from sender@sender.test --to " + shell_quote(to) + " --body " +
                          shell_quote(body));
    };
    auto drained = [&] {
        return wait_for([&] { return exim.queued() == 0; }, std::chrono::seconds(20));
    };

    CHECK(rcpt("zed@example.org").rfind("replycod", 0) == 0); // 550 5.1.1, through smfi_setreply
    CHECK(send("zed@example.org", "too early").replied("550"));
    slapd.modify(new_account("zed"));
    CHECK(soon([&] { return rcpt("zed@example.org").rfind("continue", 0) == 0; }));
    CHECK(send("zed@example.org", "welcome zed").replied("250"));
    REQUIRE(drained());
    CHECK(exim.maildirs().contains("example.org/zed/", "welcome zed"));

    slapd.stop();
    CHECK(rcpt("alice@example.org").rfind("continue", 0) == 0);
    CHECK(rcpt("nobody@example.org").rfind("replycod", 0) == 0);
    CHECK(send("info@example.org", "during the outage").replied("250"));
    CHECK(send("nobody@example.org", "unknown").replied("550"));
    REQUIRE(drained());
    CHECK(exim.maildirs().contains("example.org/alice/", "during the outage"));
    CHECK(exim.maildirs().contains("example.org/bob/", "during the outage"));
    CHECK(milter.log().find("warning:") == std::string::npos); // no temporary failure
    CHECK(exim.paniclog().empty());
}

TEST_CASE("replica: fleet drill: a provider, two consumer slapds, two hosts; two servers die") {
    // The provider, and two OpenLDAP consumers of it (syncrepl), each a provider in turn.
    Slapd provider("fleet-provider", "jamm", false, "", "--syncprov");
    const std::string up = "--consumer-of=" + provider.uri();
    Slapd near_a("fleet-consumer-a", "jamm", false, "", up);
    Slapd near_b("fleet-consumer-b", "jamm", false, "", up);
    auto filled = [&](const Slapd& s) {
        return status_of("ldapsearch -x -LLL -H " + s.uri() + " -b " + shell_quote(org) +
                         " -s base dn") == 0;
    };
    REQUIRE(soon([&] { return filled(near_a) && filled(near_b); }, std::chrono::seconds(15)));
    // Each host replicates from its nearest consumer, with the provider as failover.
    auto host_config = [&](const Slapd& nearest, const std::string& name) {
        return write_config(
            nearest, "jamm", name,
            {{"server_host", nearest.uri() + " " + provider.uri()}, {"auth_method", "compare"}});
    };
    ReplicaHost a(near_a.dir(), host_config(near_a, "host-a"));
    ReplicaHost b(near_b.dir(), host_config(near_b, "host-b"));
    CHECK(a.replica.log().find("refreshing from " + near_a.uri()) != std::string::npos);
    CHECK(b.replica.log().find("refreshing from " + near_b.uri()) != std::string::npos);

    // A change at the provider reaches both hosts through their consumers.
    std::string hash = run("slappasswd -h '{SSHA}' -s zed-pw | tr -d '\\n'");
    provider.modify(new_account("zed", hash));
    CHECK(soon([&] { return a.delivers_to("zed@example.org") && b.delivers_to("zed@example.org"); },
               std::chrono::seconds(10)));

    // Host A's consumer dies: A fails over to the provider, resuming from its cookie.
    near_a.stop();
    CHECK(soon([&] { return a.replica.count("refreshing from " + provider.uri()) > 0; },
               std::chrono::seconds(15)));
    provider.modify(new_account("yan", hash));
    CHECK(soon([&] { return a.delivers_to("yan@example.org") && b.delivers_to("yan@example.org"); },
               std::chrono::seconds(10)));

    // The provider dies too: A has no server left, B only its consumer.  Both hosts keep
    // delivering and authenticating.
    provider.stop();
    for (ReplicaHost* h : {&a, &b}) {
        CAPTURE(h->dir);
        for (const char* to : {"zed@example.org", "yan@example.org", "alice@example.org"})
            CHECK(h->send(to, std::string("fleet mail to ") + to).replied("250 2.0.0"));
        CHECK(h->send("nobody@example.org", "unknown").replied("550 5.1.1"));
        REQUIRE(h->drained());
        CHECK(h->pf.maildir_contains("example.org/zed/", "fleet mail to zed@example.org"));
        CHECK(h->pf.maildir_contains("example.org/yan/", "fleet mail to yan@example.org"));
        CHECK(h->pf.maildir_contains("example.org/alice/", "fleet mail to alice@example.org"));
        CHECK(h->pf.log().find("status=bounced") == std::string::npos);
        Opened s(h->config);
        CHECK(s->authenticate("zed@example.org", "zed-pw", "imap").is_found());
        CHECK(s->authenticate("alice@example.org", "alice-pw", "imap").is_found());
        CHECK(s->authenticate("alice@example.org", "wrong", "imap").is_not_found());
    }
    CHECK(a.replica.log().find("answering from the copy") != std::string::npos);
}
