// vmaildir-milter end to end: a real slapd, the milter on a unix socket under a
// private Postfix's (chrooted) queue directory, Postfix configured with
// examples/milter/main.cf and no vmaildir table at all (the hosted domains are
// plain relay_domains), swaks as the client; and miltertest for the protocol
// edge cases Postfix does not produce (tests/integration/milter/*.lua).
#include "support/example_rows.hpp"
#include "support/milter.hpp"
#include "support/postfix.hpp"

#include <atomic>
#include <doctest/doctest.h>
#include <fstream>
#include <grp.h>
#include <pwd.h>
#include <thread>

using namespace vmaildir::test;

namespace {

/// The `key = value` settings of examples/milter/main.cf.
std::map<std::string, std::string> example_main_cf() {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(VMAILDIR_SOURCE_DIR) + "/examples/milter/main.cf");
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find(" = ");
        if (!line.empty() && line[0] != '#' && eq != std::string::npos)
            out[line.substr(0, eq)] = line.substr(eq + 3);
    }
    REQUIRE(out.count("smtpd_milters"));
    return out;
}

/// The Dovecot authentication socket (vmaildir-postfix) for SMTP AUTH tests, under the queue.
const std::map<std::string, std::string> smtp_auth = {
    {"smtpd_sasl_auth_enable", "yes"},
    {"smtpd_sasl_type", "dovecot"},
    {"smtpd_sasl_path", "private/vmaildir-auth"},
};

/// One host as examples/milter lays it out: slapd with the example Jamm directory (plus
/// `extra_ldif`), Postfix with smtpd chrooted and smtpd_milters = unix:vmaildir/milter.sock,
/// and vmaildir-milter (started with `flags`) on QUEUE/vmaildir/milter.sock, the directory
/// owned by the milter's user and Postfix's group as the guide says.
struct Host {
    explicit Host(const std::string& name, const std::vector<std::string>& flags = {},
                  const std::string& extra_ldif = "", bool auth = false)
        : slapd(name, "jamm"), dir(slapd.dir()) {
        if (!extra_ldif.empty())
            slapd.modify(extra_ldif);
        write_jamm_config(slapd); // no cache: every answer from slapd
        std::map<std::string, std::string> conf = example_main_cf();
        if (auth)
            conf.insert(smtp_auth.begin(), smtp_auth.end());
        auto sasl = sasl_after_start(conf); // on once the daemon's socket is there
        postfix.emplace(dir + "/postfix", conf, std::map<std::string, std::string>{}, true);
        const std::string socket_dir = postfix->queue_dir() + "/vmaildir";
        fs::create_directories(socket_dir);
        REQUIRE(chown(socket_dir.c_str(), getpwnam("nobody")->pw_uid,
                      getgrnam("postfix")->gr_gid) == 0);
        fs::permissions(socket_dir, fs::perms(0750));
        if (auth)
            daemon.emplace(dir, dir + "/vmaildir.conf", postfix->queue_dir() + "/private/vmaildir");
        milter.emplace(dir, dir + "/vmaildir.conf", "unix:" + socket_dir + "/milter.sock", flags);
        if (!sasl.empty())
            postfix->set(sasl);
    }

    Swaks send(const std::string& to, const std::string& from = "sender@sender.test",
               const std::string& extra = "") const {
        return postfix->swaks("--from " + shell_quote(from) + " --to " + shell_quote(to) + " " +
                              extra);
    }
    Swaks send_as(const std::string& user, const std::string& password, const std::string& from,
                  const std::string& to = "someone@elsewhere.test") const {
        return send(to, from,
                    "--auth PLAIN --auth-user " + shell_quote(user) + " --auth-password " +
                        shell_quote(password));
    }
    bool drained() const {
        return wait_for([&] { return postfix->queued() == 0; }, std::chrono::seconds(20));
    }
    bool bounced() const { return postfix->log().find("status=bounced") != std::string::npos; }

    Slapd slapd;
    std::string dir;
    std::optional<PostfixInstance> postfix;
    std::optional<TableDaemon> daemon; // SMTP AUTH only
    std::optional<MilterDaemon> milter;
};

const std::string scripts = std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/milter";

/// envelope.lua: one message from `from` (login `login` when not empty) to `rcpts`; the
/// kind of every reply, one line each ("RCPT <a> replycode").
std::string envelope(const std::string& socket, const std::string& out, const std::string& from,
                     const std::string& rcpts, const std::string& login = "") {
    std::vector<std::string> defines = {"socket=" + socket, "dir=" + scripts, "from=" + from,
                                        "rcpts=" + rcpts};
    if (!login.empty())
        defines.push_back("login=" + login);
    auto [rc, output] = miltertest("envelope.lua", defines, out);
    CHECK(rc == 0);
    return output;
}

} // namespace

TEST_CASE("milter: every example recipient as the shared table says (support/example_rows.hpp)") {
    Host h("milter-recipients");
    for (const RecipientRow& row : example_recipients) {
        std::string name = row.name;
        CAPTURE(name);
        Swaks s = h.send(row.address);
        switch (row.rcpt) {
        case Rcpt::accepted:
            CHECK(s.replied("250 2.0.0 Ok: queued"));
            break;
        case Rcpt::unknown:
            CHECK(s.replied("550 5.1.1 <" + row.address + ">: Recipient address rejected"));
            break;
        case Rcpt::try_later:
            CHECK(s.replied("451 4.3.0 <" + row.address + ">: Temporary lookup failure"));
            break;
        }
    }
    // Outside the hosted domains the milter stays out of the way; a 1 KB local part in a
    // hosted domain names no mailbox.
    CHECK(h.send("someone@elsewhere.test").replied("250 2.0.0"));
    CHECK(h.send(std::string(1024, 'a') + "@example.org").replied("550 5.1.1"));
    REQUIRE(h.drained());
    CHECK_FALSE(h.bounced());
    const std::string log = h.milter->log();
    CHECK(log.find("RCPT <nobody@example.org>: unknown; answering 550 5.1.1") != std::string::npos);
    CHECK(log.find("RCPT <loop1@example.org>: temporary failure: alias loop") != std::string::npos);
}

TEST_CASE("milter: duplicate entries and a stopped slapd mean 451, and nothing bounces") {
    Host h("milter-outage");
    h.slapd.modify("dn: cn=info-again,jvd=example.org,o=hosting,dc=example,dc=com\n"
                   "changetype: add\nobjectClass: JammMailAlias\ncn: info-again\n"
                   "mail: info@example.org\nmaildrop: carol@example.net\n");
    CHECK(h.send("info@example.org").replied("451 4.3.0"));
    CHECK(h.send("bob@example.org").replied("250 2.0.0")); // the rest of the domain is fine
    h.slapd.stop();
    for (const char* to : {"alice@example.org", "nobody@example.org", "whoever@example.net",
                           "someone@elsewhere.test"}) {
        CAPTURE(to);
        Swaks s = h.send(to);
        CHECK(s.replied("451 4.3.0"));
        CHECK_FALSE(s.replied("550"));
    }
    REQUIRE(h.drained());
    CHECK_FALSE(h.bounced());
    CHECK(h.milter->log().find("temporary failure: ") != std::string::npos);
}

TEST_CASE("milter: when the milter is down, Postfix's milter_default_action decides") {
    Host h("milter-down");
    CHECK(h.send("nobody@example.org").replied("550 5.1.1"));
    kill(h.milter->process().pid(), SIGKILL);
    // The example's tempfail: the client retries later; nothing is refused for good.
    Swaks s = h.send("alice@example.org");
    CHECK(s.replied("451 4.7.1"));
    CHECK_FALSE(s.replied("250 2.0.0"));
    // accept lets everything in unchecked while the milter is away.
    h.postfix->set({{"milter_default_action", "accept"}});
    CHECK(h.send("nobody@example.org").replied("250 2.0.0"));
    REQUIRE(h.drained());
}

TEST_CASE("milter: sender ownership with SMTP AUTH, and unauthenticated senders refused") {
    Host h("milter-senders", {"--unauthenticated-senders", "reject"}, "", true);
    // The account itself, an alias whose destinations include it, the null sender.
    for (const char* from :
         {"alice@example.org", "info@example.org", "alice+list@example.org", "<>"}) {
        CAPTURE(from);
        Swaks s = h.send_as("alice@example.org", "alice-pw", from);
        CHECK(s.replied("235"));
        CHECK(s.replied("250 2.0.0 Ok: queued"));
    }
    for (const char* from : {"bob@example.org", "whoever@example.net", "alice@elsewhere.test"}) {
        CAPTURE(from);
        Swaks s = h.send_as("alice@example.org", "alice-pw", from);
        CHECK(s.replied(std::string("550 5.7.1 <") + from +
                        ">: Sender address rejected: not owned by user alice@example.org"));
    }
    // Without SMTP AUTH: a hosted domain's address is refused (this host's policy), a
    // foreign one passes.
    CHECK(h.send("bob@example.org", "alice@example.org")
              .replied("550 5.7.1 <alice@example.org>: Sender address rejected: not logged in"));
    CHECK(h.send("bob@example.org", "sender@sender.test").replied("250 2.0.0"));
    // The milter asks for {auth_authen} itself during negotiation: it still sees the login
    // when main.cf's macro lists leave it out.
    h.postfix->set({{"milter_mail_macros", "i"}, {"milter_rcpt_macros", "i"}});
    CHECK(h.send_as("alice@example.org", "alice-pw", "bob@example.org").replied("550 5.7.1"));
    CHECK(h.send_as("alice@example.org", "alice-pw", "alice@example.org").replied("250 2.0.0"));
    // With the directory gone, the same questions defer.
    h.slapd.stop();
    Swaks later = h.send("bob@example.org", "alice@example.org");
    CHECK(later.replied("451 4.3.0"));
    CHECK_FALSE(later.replied("550"));
    REQUIRE(h.drained());
    CHECK_FALSE(h.bounced());
}

TEST_CASE("milter: test mode logs what it would answer and lets everything through") {
    Host h("milter-test-mode", {"--mode", "test"});
    CHECK(h.send("nobody@example.org").replied("250 2.0.0"));
    CHECK(h.send("loop1@example.org").replied("250 2.0.0"));
    REQUIRE(h.drained());
    const std::string log = h.milter->log();
    CHECK(log.find("test mode, not answering 550 5.1.1 <nobody@example.org>") != std::string::npos);
    CHECK(log.find("test mode, not answering 451 4.3.0 <loop1@example.org>") != std::string::npos);
}

TEST_CASE("vmaildir-milter: protocol edge cases and directory trouble with miltertest") {
    Slapd slapd("milter-miltertest", "jamm");
    const std::string config = write_jamm_config(slapd);
    const std::string socket = "inet:" + std::to_string(free_port()) + "@127.0.0.1";
    MilterDaemon milter(slapd.dir(), config, socket);

    auto [rc, out] = miltertest("edge-cases.lua", {"socket=" + socket, "dir=" + scripts},
                                slapd.dir() + "/edge-cases.out");
    CAPTURE(out);
    CHECK(rc == 0);
    CHECK(out.find("edge cases done") != std::string::npos);
    const std::string log = milter.log();
    CHECK(log.find("MT0002: MAIL <alice@example.org>: not owned by bob@example.org; answering "
                   "550 5.7.1") != std::string::npos);
    CHECK(log.find("MT0005: MAIL <carol@example.net>: not owned by bob@example.org") !=
          std::string::npos);
    CHECK(log.find("answering 550 5.1.1 <*)(objectClass=*@example.org>") != std::string::npos);
    CHECK(log.find("answering 550 5.1.1 <100%@example.org>") != std::string::npos);
    CHECK(log.find("warning:") == std::string::npos); // no temporary failure, no odd input

    // Four such connections at once: libmilter's worker threads share one service.
    std::vector<std::thread> clients;
    std::atomic<int> failed{0};
    for (int i = 0; i < 4; ++i)
        clients.emplace_back([&, i] {
            auto [status, text] =
                miltertest("edge-cases.lua", {"socket=" + socket, "dir=" + scripts},
                           slapd.dir() + "/edge-cases-" + std::to_string(i) + ".out");
            if (status != 0 || text.find("edge cases done") == std::string::npos)
                ++failed;
        });
    for (std::thread& t : clients)
        t.join();
    CHECK(failed.load() == 0);
    CHECK(milter.log().find("warning:") == std::string::npos);

    slapd.stop();
    std::string down = envelope(socket, slapd.dir() + "/down.out", "<sender@sender.test>",
                                "<alice@example.org> <x@elsewhere.test>");
    CHECK(down.find("RCPT <alice@example.org> replycode") != std::string::npos);
    CHECK(down.find("RCPT <x@elsewhere.test> replycode") != std::string::npos);
    CHECK(milter.log().find("RCPT <alice@example.org>: temporary failure: ") != std::string::npos);
    CHECK(milter.log().find("answering 451 4.3.0 <alice@example.org>") != std::string::npos);
    CHECK(milter.stop() == 0);
}

TEST_CASE("vmaildir-milter: broken configuration, SIGHUP reload, SIGTERM, usage errors") {
    Slapd slapd("milter-reload", "jamm");
    const std::string good = read_file(write_jamm_config(slapd)) + "\n";
    const std::string config = slapd.dir() + "/milter.conf";
    std::ofstream(config) << good << "frobnicate = yes\n";
    const std::string socket = "inet:" + std::to_string(free_port()) + "@127.0.0.1";
    MilterDaemon milter(slapd.dir(), config, socket);
    const std::string out = slapd.dir() + "/reload.out";
    auto ask = [&] {
        return envelope(socket, out, "<sender@sender.test>", "<alice@example.org>");
    };

    // Started broken: it serves, answering 451 and saying why.
    CHECK(ask().find("RCPT <alice@example.org> replycode") != std::string::npos);
    CHECK(milter.log().find("frobnicate: unknown key") != std::string::npos);
    CHECK(milter.log().find("answering 451 4.3.0") != std::string::npos);

    std::ofstream(config) << good;
    kill(milter.process().pid(), SIGHUP);
    REQUIRE(
        wait_for([&] { return milter.log().find("configuration reloaded") != std::string::npos; },
                 std::chrono::seconds(5)));
    CHECK(ask().find("RCPT <alice@example.org> continue") != std::string::npos);

    std::ofstream(config) << good << "timeout = soon\n";
    kill(milter.process().pid(), SIGHUP);
    REQUIRE(wait_for([&] { return milter.log().find("reload refused") != std::string::npos; },
                     std::chrono::seconds(5)));
    CHECK(milter.process().running());
    CHECK(ask().find("RCPT <alice@example.org> continue") != std::string::npos);

    CHECK(milter.stop() == 0);
    CHECK(milter.log().find("stopping on signal 15") != std::string::npos);

    const std::string bin = shell_quote(VMAILDIR_MILTER_DAEMON);
    CHECK(status_of(bin + " -c " + config + " --listen tcp:1") == 64);
    CHECK(status_of(bin + " -c " + config + " --listen inet:99999@127.0.0.1") == 64);
    CHECK(status_of(bin + " -c " + config + " --listen unix:relative.sock") == 64);
    CHECK(status_of(bin + " -c " + config) == 64);
    CHECK(status_of(bin + " -c " + config + " --listen " + socket + " --mode maybe") == 64);
    CHECK(status_of(bin + " --help") == 0);
}
