// Exim hosting virtual domains through vmaildir, end to end: a real slapd,
// vmaildir-exim, a private Exim 4.96 daemon running examples/exim/exim4.conf
// as its real configuration, and swaks.
#include "support/example_rows.hpp"
#include "support/exim.hpp"

#include <chrono>
#include <csignal>
#include <cstring>
#include <doctest/doctest.h>
#include <fstream>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace vmaildir::test;

namespace {

/// One complete host: slapd with the example Jamm directory (plus `extra_ldif`),
/// vmaildir-exim, and Exim running the example configuration with `macros` on top of the
/// test's own (paths, port).
struct Host {
    explicit Host(const std::string& name, const std::string& extra_ldif = "",
                  std::map<std::string, std::string> macros = {},
                  const std::vector<std::string>& daemon_flags = {},
                  const std::vector<std::string>& lookup_options = {})
        : slapd(name, "jamm"), dir(slapd.dir()) {
        if (!extra_ldif.empty())
            slapd.modify(extra_ldif);
        write_jamm_config(slapd);
        daemon.emplace(dir, dir + "/vmaildir.conf", lookup_options);
        macros["VMAILDIR_SOCKET"] = daemon->socket();
        macros["VMAILDIR_AUTH_SOCKET"] = daemon->auth_socket();
        macros["VMAILDIR_TIMEOUT"] = "5s";
        macros["AUTH_ADVERTISE_HOSTS"] = "*"; // no TLS in the tests
        exim.emplace(dir + "/exim", macros, daemon_flags);
    }

    Swaks send(const std::string& to, const std::string& body = "hello") const {
        return exim->swaks("--from sender@sender.test --to " + shell_quote(to) + " --body " +
                           shell_quote(body));
    }
    /// Waits until the queue is empty (everything delivered or dropped).
    bool drained() const {
        return wait_for([&] { return exim->queued() == 0; }, std::chrono::seconds(20));
    }
    Maildirs mail() const { return exim->maildirs(); }

    Slapd slapd;
    std::string dir;
    std::optional<LookupDaemon> daemon;
    std::optional<EximInstance> exim;
};

/// Bounces leave a "**" line in Exim's mainlog.
bool bounced(const std::string& mainlog) {
    return mainlog.find(" ** ") != std::string::npos;
}

} // namespace

TEST_CASE("exim: every example recipient as the shared table says (support/example_rows.hpp)") {
    Host h("exim-delivery");
    Maildirs mail = h.mail();
    std::map<std::string, std::size_t> expected; // Maildir → messages
    for (const RecipientRow& row : example_recipients) {
        std::string name = row.name;
        CAPTURE(name);
        Swaks s = h.send(row.address, std::string("to ") + row.name);
        switch (row.rcpt) {
        case Rcpt::accepted:
            CHECK(s.replied("250 OK id="));
            break;
        case Rcpt::unknown:
            CHECK(s.replied("550 5.1.1"));
            break;
        case Rcpt::try_later:
            CHECK(s.replied("451"));
            break;
        }
        if (row.rcpt != Rcpt::accepted)
            CHECK_FALSE(s.replied("250 Accepted"));
        for (const std::string& m : row.maildirs)
            ++expected[m];
    }
    REQUIRE(h.drained());
    const std::string log = h.exim->mainlog();
    for (const RecipientRow& row : example_recipients) {
        std::string name = row.name;
        CAPTURE(name);
        for (const std::string& m : row.maildirs)
            CHECK(mail.contains(m, std::string("to ") + row.name));
        for (const std::string& r : row.remote)
            CHECK(log.find("=> :blackhole: <" + r + ">") != std::string::npos);
    }
    for (const auto& [maildir, count] : expected) {
        CAPTURE(maildir);
        CHECK(mail.messages(maildir) == count);
    }
    CHECK_FALSE(bounced(log));
    CHECK(h.exim->paniclog().empty());
}

TEST_CASE("exim: a catch-all never swallows mail for real accounts") {
    const CatchallDrill drill = catchall_drill();
    Host h("exim-catchall", drill.ldif);
    Maildirs mail = h.mail();
    CHECK(h.send(drill.recipients, "for the fifty").replied("250"));
    CHECK(h.send("stranger1@example.net,stranger2@example.net", "for strangers").replied("250"));
    REQUIRE(h.drained());
    std::size_t delivered = 0;
    for (const std::string& u : drill.users) {
        CAPTURE(u);
        delivered += mail.messages("example.net/" + u + "/");
        CHECK(mail.contains("example.net/" + u + "/", "for the fifty"));
    }
    std::size_t misdelivered = mail.contains("example.net/carol/", "for the fifty") ? 1 : 0;
    CHECK(delivered == 50);
    CHECK(misdelivered == 0);
    CHECK(mail.contains("example.net/carol/", "for strangers"));
}

TEST_CASE("exim: two entries for one address defer with 451") {
    Host h("exim-duplicate");
    h.slapd.modify("dn: cn=info-again,jvd=example.org,o=hosting,dc=example,dc=com\n"
                   "changetype: add\nobjectClass: JammMailAlias\ncn: info-again\n"
                   "mail: info@example.org\nmaildrop: carol@example.net\n");
    CHECK(h.send("info@example.org").replied("451"));
    CHECK(h.send("bob@example.org").replied("250")); // the rest of the domain is fine
    REQUIRE(h.drained());
    CHECK_FALSE(bounced(h.exim->mainlog()));
}

TEST_CASE("exim: slapd stopped, hung or restarted means 451, and queued mail waits for it") {
    // Queue only (-odq): mail accepted now is delivered by the queue runs below.
    Host h("exim-outage", "", {}, {"-odq"});
    EximInstance& exim = *h.exim;
    Maildirs mail = h.mail();
    CHECK(h.send("alice@example.org", "before the outage 1").replied("250"));
    CHECK(h.send("info@example.org", "before the outage 2").replied("250"));
    CHECK(h.send("carol+x@example.net", "before the outage 3").replied("250"));
    REQUIRE(exim.queued() == 3);

    bool hung = false;
    SUBCASE("stopped, then restarted") {
        h.slapd.stop();
    }
    SUBCASE("hung (SIGSTOP, the lookups time out), then resumed") {
        h.slapd.freeze();
        hung = true;
    }

    // New mail: try later, for known, unknown and catch-all recipients alike.
    for (const char* to : {"alice@example.org", "nobody@example.org", "x@example.net"}) {
        std::string recipient = to;
        CAPTURE(recipient);
        Swaks s = h.send(to);
        CHECK(s.replied("451"));
        CHECK_FALSE(s.replied("550"));
    }
    // Queued mail: a delivery attempt during the outage defers it.
    exim.queue_run();
    CHECK(exim.queued() == 3);
    CHECK(mail.messages("example.org/alice/") == 0);
    std::string log = exim.mainlog();
    CHECK(log.find(" == alice@example.org") != std::string::npos);
    CHECK_FALSE(bounced(log));

    if (hung)
        h.slapd.thaw();
    else
        h.slapd.restart();
    exim.queue_run();
    REQUIRE(h.drained());
    CHECK(mail.messages("example.org/alice/") == 2);
    CHECK(mail.messages("example.org/bob/") == 1);
    CHECK(mail.messages("example.net/carol/") == 1);
    CHECK_FALSE(bounced(exim.mainlog()));
    CHECK(h.send("alice@example.org", "after the outage").replied("250"));
}

TEST_CASE("exim: a lookup cut off before its answer defers delivery, never bounces") {
    // Exim reads a reply to EOF, so a connection vmaildir-exim closes before answering
    // (killed or restarted mid-lookup, or closed to make room at its connection limit)
    // leaves an empty reply.  That must defer like any other directory trouble: read as
    // "not found", the alias below was unroutable and bounced.
    Host h("exim-cut-off", "", {}, {"-odq"}, {"--max-connections", "1"});
    EximInstance& exim = *h.exim;
    Maildirs mail = h.mail();
    REQUIRE(h.send("info@example.org", "to an alias").replied("250"));
    h.slapd.freeze(); // the delivery's first lookup waits for slapd (timeout = 2s)
    std::thread runner([&] { exim.queue_run(); });
    // Late enough for Exim to be waiting (slow hosts, sanitizers), early enough that the
    // lookup, which cannot end before timeout = 2s, still waits.
    std::this_thread::sleep_for(std::chrono::milliseconds(1800));
    // A second connection at the limit of one: the one waiting for its answer is closed.
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, h.daemon->socket().c_str(), sizeof addr.sun_path - 1);
    CHECK(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    h.slapd.thaw();
    runner.join();
    ::close(fd);
    std::string log = exim.mainlog();
    CAPTURE(log);
    CHECK_FALSE(bounced(log));
    CHECK(log.find("vmaildir: no answer") != std::string::npos);
    CHECK(exim.queued() == 1);
    exim.queue_run();
    REQUIRE(h.drained());
    CHECK(mail.messages("example.org/alice/") == 1);
    CHECK(mail.messages("example.org/bob/") == 1);
    CHECK_FALSE(bounced(exim.mainlog()));
}

TEST_CASE("exim: SMTP AUTH PLAIN and LOGIN, and sender ownership") {
    Host h("exim-auth");
    EximInstance& exim = *h.exim;
    auto session = [&](const std::string& mech, const std::string& user,
                       const std::string& password, const std::string& from) {
        return exim.swaks("--auth " + mech + " --auth-user " + shell_quote(user) +
                          " --auth-password " + shell_quote(password) + " --from " +
                          shell_quote(from) + " --to bob@example.org --body sent");
    };
    // The right password, either mechanism; the account's own address and an alias it owns.
    CHECK(session("PLAIN", "alice@example.org", "alice-pw", "alice@example.org").replied("235"));
    CHECK(session("LOGIN", "alice@example.org", "alice-pw", "alice@example.org")
              .replied("250 OK id="));
    CHECK(session("PLAIN", "alice@example.org", "alice-pw", "info@example.org")
              .replied("250 OK id="));
    CHECK(session("PLAIN", "Alice@Example.ORG", "alice-pw", "alice+list@example.org")
              .replied("250 OK id="));
    // A sender address the login does not own: 550 5.7.1 at MAIL FROM.
    for (const char* from :
         {"bob@example.org", "carol@example.net", "someone@elsewhere.test", "sales@example.org"}) {
        std::string sender = from;
        CAPTURE(sender);
        Swaks s = session("PLAIN", "alice@example.org", "alice-pw", from);
        CHECK(s.replied("235"));
        CHECK(s.replied("550 5.7.1"));
    }
    // Without AUTH the sender is not checked here (relaying rules apply as usual).
    CHECK(h.send("bob@example.org").replied("250 OK id="));
    // Wrong password, unknown, inactive, alias-only logins: 535.
    for (const auto& [user, password] :
         std::vector<std::pair<std::string, std::string>>{{"alice@example.org", "wrong"},
                                                          {"nobody@example.org", "x"},
                                                          {"dave@example.org", "dave-pw"},
                                                          {"info@example.org", "alice-pw"}}) {
        CAPTURE(user);
        for (const char* mech : {"PLAIN", "LOGIN"}) {
            Swaks s = session(mech, user, password, user);
            CHECK(s.replied("535"));
            CHECK_FALSE(s.replied("235"));
        }
    }
    // Two entries for the sender address: directory trouble, so 451, not 550.
    h.slapd.modify("dn: cn=info-again,jvd=example.org,o=hosting,dc=example,dc=com\n"
                   "changetype: add\nobjectClass: JammMailAlias\ncn: info-again\n"
                   "mail: info@example.org\nmaildrop: carol@example.net\n");
    Swaks ambiguous = session("PLAIN", "alice@example.org", "alice-pw", "info@example.org");
    CHECK(ambiguous.replied("451"));
    CHECK_FALSE(ambiguous.replied("550"));
    // The directory down: a temporary failure (Exim's 435 for a deferred authenticator),
    // never 535.
    h.slapd.stop();
    for (const char* mech : {"PLAIN", "LOGIN"}) {
        CAPTURE(std::string(mech));
        Swaks s = session(mech, "alice@example.org", "alice-pw", "alice@example.org");
        CHECK(s.replied("435"));
        CHECK_FALSE(s.replied("535"));
        CHECK_FALSE(s.replied("235"));
    }
    REQUIRE(h.drained());
    CHECK(h.mail().messages("example.org/bob/") == 5);
    CHECK(read_file(h.dir + "/vmaildir-exim.log").find("temporary failure") != std::string::npos);
}

namespace {

/// One ${readsocket}-style request: connect, write, half-close, read to EOF.  Parts of the
/// request are written 200 ms apart, so that the daemon reads them apart.
std::string ask(const std::string& socket, const std::vector<std::string>& parts) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    for (std::size_t i = 0; i < parts.size(); ++i) {
        if (i > 0)
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        REQUIRE(::write(fd, parts[i].data(), parts[i].size()) ==
                static_cast<ssize_t>(parts[i].size()));
    }
    ::shutdown(fd, SHUT_WR);
    std::string reply;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(fd, buf, sizeof buf)) > 0)
        reply.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    return reply;
}

std::string ask(const std::string& socket, const std::string& request) {
    return ask(socket, std::vector<std::string>{request});
}

} // namespace

TEST_CASE("vmaildir-exim: answers, protocol errors and a broken configuration") {
    Slapd slapd("exim-protocol", "jamm");
    const std::string dir = slapd.dir();
    write_jamm_config(slapd, "");
    {
        LookupDaemon daemon(dir, dir + "/vmaildir.conf");
        const std::string& s = daemon.socket();
        CHECK(ask(s, "recipient sales@example.org\n") == "alice@example.org, bob@example.org");
        CHECK(ask(s, "alias frank@example.org") == "frank@example.org, frank@elsewhere.test");
        CHECK(ask(s, "mailbox alice+x@example.org\n") == "example.org/alice/");
        CHECK(ask(s, "quota alice@example.org\n") == "100000000");
        CHECK(ask(s, "sender info@example.org\n") == "alice@example.org : bob@example.org");
        CHECK(ask(s, "uid alice@example.org\n") == "5000");
        CHECK(ask(s, "domain disabled.test\n") == "disabled.test");
        CHECK(ask(s, "recipient nobody@example.org\n") == ":notfound:");
        CHECK(ask(s, "recipient *)(mail=*@example.org\n") == ":notfound:");
        CHECK(ask(s, "recipient loop1@example.org\n").rfind(":defer: ", 0) == 0);
        CHECK(ask(s, "passwd alice@example.org\n") == ":defer: unknown map 'passwd'");
        CHECK(ask(s, "recipient\n").rfind(":defer: malformed", 0) == 0);
        CHECK(ask(s, std::string("recipient a\0b@example.org\n", 26)).rfind(":defer:", 0) == 0);
        CHECK(ask(s, "recipient " + std::string(5000, 'a') + "\n") == ":defer: request too long");
        // A request within the limit has the same answer however it arrives, whatever follows
        // its newline: it was refused as too long when its newline came in a read that took
        // the bytes read so far past 4096.
        const std::string near_limit = "recipient " + std::string(3990, 'a') + "@example.org\n";
        const std::string whole = ask(s, near_limit);
        CHECK(whole != ":defer: request too long");
        CHECK(ask(s, {near_limit.substr(0, 3500),
                      near_limit.substr(3500) + std::string(900, 'x')}) == whole);
        slapd.stop();
        CHECK(ask(s, "domain example.org\n").rfind(":defer: ", 0) == 0);
        std::string log = read_file(dir + "/vmaildir-exim.log");
        CHECK(log.find("unknown map 'passwd'") != std::string::npos);
        CHECK(log.find("domain example.org: temporary failure") != std::string::npos);
    }
    // A broken configuration: the daemon stays up and defers everything, saying why.
    std::ofstream(dir + "/broken.conf") << "search_base = o=hosting\nfrobnicate = 1\n";
    LookupDaemon broken(dir, dir + "/broken.conf");
    std::string reply = ask(broken.socket(), "domain example.org\n");
    CHECK(reply.rfind(":defer: ", 0) == 0);
    CHECK(reply.find("frobnicate") != std::string::npos);
}
