// Postfix hosting virtual domains through vmaildir, end to end: a real slapd,
// vmaildir-postfix, a private Postfix instance, swaks and postmap.
#include <doctest/doctest.h>

#include <atomic>
#include <cstring>
#include <fstream>
#include <set>
#include <sys/stat.h>
#include <thread>

#include "support/example_rows.hpp"
#include "protocol.hpp"
#include "support/postfix.hpp"

using namespace vmaildir::test;

TEST_CASE("postfix: every example recipient as the shared table says (support/example_rows.hpp)") {
    PostfixHost h("pf-delivery");
    auto& pf = *h.postfix;
    std::map<std::string, std::size_t> expected; // Maildir → messages
    for (const RecipientRow& row : example_recipients) {
        std::string name = row.name;
        CAPTURE(name);
        Swaks s = h.send(row.address, std::string("to ") + row.name);
        switch (row.rcpt) {
        case Rcpt::accepted: CHECK(s.replied("250 2.0.0")); break;
        case Rcpt::unknown: CHECK(s.replied("550 5.1.1")); break;
        case Rcpt::try_later: CHECK(s.replied("451 4.3.0")); break;
        }
        if (row.rcpt != Rcpt::accepted)
            CHECK_FALSE(s.replied("250 2.0.0"));
        for (const std::string& m : row.maildirs)
            ++expected[m];
    }
    REQUIRE(h.drained());
    const std::string log = pf.log();
    for (const RecipientRow& row : example_recipients) {
        std::string name = row.name;
        CAPTURE(name);
        for (const std::string& m : row.maildirs)
            CHECK(pf.maildir_contains(m, std::string("to ") + row.name));
        for (const std::string& r : row.remote)
            CHECK(log.find("to=<" + r + ">, orig_to=<" + row.address + ">") != std::string::npos);
    }
    for (const auto& [maildir, count] : expected) {
        CAPTURE(maildir);
        CHECK(pf.messages(maildir) == count);
    }
    CHECK(log.find("status=bounced") == std::string::npos);
}

TEST_CASE("postfix: SMTP AUTH over the Dovecot protocol (smtpd_sasl_type = dovecot)") {
    PostfixHost h("pf-dovecot-auth", "", example_main_cf("", "main-dovecot-auth.cf"));
    auto session = [&](const std::string& mech, const std::string& user,
                       const std::string& password, const std::string& from) {
        return h.postfix->swaks("--auth " + mech + " --auth-user " + shell_quote(user) +
                                " --auth-password " + shell_quote(password) + " --from " +
                                shell_quote(from) + " --to someone@elsewhere.test");
    };
    for (const char* mech : {"PLAIN", "LOGIN"}) {
        std::string m = mech;
        CAPTURE(m);
        Swaks good = session(mech, "alice@example.org", "alice-pw", "alice@example.org");
        CHECK(good.replied("235"));
        CHECK(good.replied("250 2.0.0")); // relayed as an authenticated client
        Swaks owned = session(mech, "alice@example.org", "alice-pw", "bob@example.org");
        CHECK(owned.replied("553 5.7.1")); // reject_sender_login_mismatch
        for (const auto& [user, password] : std::vector<std::pair<std::string, std::string>>{
                 {"alice@example.org", "wrong"}, {"dave@example.org", "dave-pw"}}) {
            CAPTURE(user);
            Swaks s = session(mech, user, password, user);
            CHECK(s.replied("535"));
            CHECK_FALSE(s.replied("235"));
        }
    }
    h.slapd.stop();
    for (const char* mech : {"PLAIN", "LOGIN"}) {
        std::string m = mech;
        CAPTURE(m);
        Swaks s = session(mech, "alice@example.org", "alice-pw", "alice@example.org");
        CHECK(s.replied("454 4.7.0"));
        CHECK_FALSE(s.replied("535"));
    }
}

TEST_CASE("postfix: a catch-all never swallows mail for real accounts") {
    const CatchallDrill drill = catchall_drill();
    PostfixHost h("pf-catchall", drill.ldif);
    auto& pf = *h.postfix;
    CHECK(h.send(drill.recipients, "for the fifty").replied("250"));
    CHECK(h.send("stranger1@example.net,stranger2@example.net", "for strangers").replied("250"));
    REQUIRE(h.drained());
    std::size_t misdelivered = 0, delivered = 0;
    for (const std::string& u : drill.users) {
        CAPTURE(u);
        delivered += pf.messages("example.net/" + u + "/");
        CHECK(pf.maildir_contains("example.net/" + u + "/", "for the fifty"));
    }
    misdelivered += pf.maildir_contains("example.net/carol/", "for the fifty") ? 1 : 0;
    CHECK(delivered == 50);
    CHECK(misdelivered == 0);
    CHECK(pf.maildir_contains("example.net/carol/", "for strangers"));
}

TEST_CASE("postfix: two entries for one address defer with 451") {
    PostfixHost h("pf-duplicate");
    h.slapd.modify("dn: cn=info-again,jvd=example.org,o=hosting,dc=example,dc=com\n"
                   "changetype: add\nobjectClass: JammMailAlias\ncn: info-again\n"
                   "mail: info@example.org\nmaildrop: carol@example.net\n");
    Swaks s = h.send("info@example.org");
    CHECK(s.replied("451 4.3.0"));
    CHECK(h.send("bob@example.org").replied("250")); // the rest of the domain is fine
}

TEST_CASE("postfix: slapd down means 451 at RCPT, and queued mail waits for it") {
    PostfixHost h("pf-outage", "", {{"defer_transports", "virtual"}});
    auto& pf = *h.postfix;
    // Accepted while the directory works, held back from delivery for now.
    CHECK(h.send("alice@example.org", "before the outage 1").replied("250"));
    CHECK(h.send("info@example.org", "before the outage 2").replied("250"));
    CHECK(h.send("carol+x@example.net", "before the outage 3").replied("250"));
    REQUIRE(wait_for([&] { return pf.queued() == 3; }, std::chrono::seconds(10)));

    h.slapd.stop();
    // New mail: try later.
    for (const char* to : {"alice@example.org", "nobody@example.org", "x@example.net"}) {
        std::string recipient = to;
        CAPTURE(recipient);
        CHECK(h.send(to).replied("451 4.3.0"));
    }
    // Queued mail: delivery is attempted during the outage and deferred.
    pf.set({{"defer_transports", ""}});
    pf.flush();
    std::this_thread::sleep_for(std::chrono::seconds(3));
    CHECK(pf.queued() == 3);
    CHECK(pf.messages("example.org/alice/") == 0);

    h.slapd.restart();
    pf.flush();
    REQUIRE(h.drained());
    CHECK(pf.messages("example.org/alice/") == 2);
    CHECK(pf.messages("example.org/bob/") == 1);
    CHECK(pf.messages("example.net/carol/") == 1);
    std::string log = pf.log();
    CHECK(log.find("status=bounced") == std::string::npos);
    CHECK(log.find("status=deferred") != std::string::npos);
}

TEST_CASE("postfix: the generated ldap: table answers like the socketmap mailbox map") {
    PostfixHost h("pf-tables");
    auto& pf = *h.postfix;
    std::set<std::string> keys;
    // Postfix hands virtual(8) bare addresses: no angle brackets, never empty.
    for (const Row& row : example_rows)
        if (applies(row, "jamm") && row.key.find('\0') == std::string::npos &&
            row.key.size() < 300 && !row.key.empty() && row.key.front() != '<')
            keys.insert(row.key);
    for (const char* extra :
         {"alice@example.org", "bob@example.org", "frank@example.org", "dave@example.org",
          "erin@example.org", "carol@example.net", "gina@disabled.test", "info@example.org",
          "postmaster@example.org", "@example.net", "alice+a+b@example.org", "ALICE@EXAMPLE.ORG",
          "carol+x@example.net", "nobody@unknown.test", "alice@disabled.test"})
        keys.insert(extra);
    const std::string ldap = "ldap:" + h.dir + "/tables/vmaildir-mailbox.cf";
    for (const std::string& key : keys) {
        CAPTURE(key);
        auto socketmap = pf.postmap(key, h.daemon->table("mailbox"));
        // virtual(8) asks for the full address, then without the extension (mail_addr_find).
        auto native = pf.postmap(key, ldap);
        auto plus = key.find('+'), at = key.rfind('@');
        if (native.first == 1 && plus != std::string::npos && at != std::string::npos &&
            plus < at && plus > 0)
            native = pf.postmap(key.substr(0, plus) + key.substr(at), ldap);
        CHECK(native.first == socketmap.first);
        CHECK(native.second == socketmap.second);
    }
}

TEST_CASE("vmaildir-postfix: tcp_table, protocol errors, reload and clean stop") {
    PostfixHost h("pf-daemon");
    auto& pf = *h.postfix;
    const std::string tcp = "tcp:127.0.0.1:" + std::to_string(h.daemon->tcp_port());
    CHECK(pf.postmap("info@example.org", tcp) ==
          std::pair<int, std::string>{0, "alice@example.org,bob@example.org"});
    CHECK(pf.postmap("alice+x@example.org", tcp) ==
          std::pair<int, std::string>{0, "alice+x@example.org"});
    CHECK(pf.postmap("nobody@example.org", tcp).first == 1);
    // Keys with spaces and percent signs travel %XX-encoded both ways.
    CHECK(pf.postmap("a b%@example.org", tcp).first == 1);

    // An unknown map is a Postfix configuration mistake: TEMP, never PERM.
    pf.postmap("x@example.org", h.daemon->table("nosuchmap"));
    CHECK(pf.last_postmap_errors().find("temporary error: unknown map") != std::string::npos);

    // SIGHUP with a broken configuration keeps the running one.
    std::string conf = read_file(h.dir + "/vmaildir.conf");
    std::ofstream(h.dir + "/vmaildir.conf") << conf << "\nfrobnicate = yes\n";
    kill(h.daemon->process().pid(), SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(pf.postmap("bob@example.org", h.daemon->table("alias")).first == 0);
    CHECK(read_file(h.dir + "/vmaildir-postfix.log").find("reload refused") != std::string::npos);
    // A password file only root may read cannot be reread after the privilege drop: the
    // reload is refused, saying which layout works, and the running configuration stays.
    std::ofstream(h.dir + "/vmaildir.conf") << conf;
    REQUIRE(chmod((h.dir + "/bind.pw").c_str(), 0600) == 0);
    kill(h.daemon->process().pid(), SIGHUP);
    CHECK(wait_for(
        [&] {
            return read_file(h.dir + "/vmaildir-postfix.log").find("mode 0640") !=
                   std::string::npos;
        },
        std::chrono::seconds(5)));
    CHECK(pf.postmap("bob@example.org", h.daemon->table("alias")).first == 0);
    REQUIRE(chmod((h.dir + "/bind.pw").c_str(), 0640) == 0);
    // SIGHUP with a good one applies it (here: another schema name is visible in the log).
    std::ofstream(h.dir + "/vmaildir.conf") << conf << "\nlog_level = debug\n";
    kill(h.daemon->process().pid(), SIGHUP);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    CHECK(read_file(h.dir + "/vmaildir-postfix.log").find("configuration reloaded") !=
          std::string::npos);
    CHECK(pf.postmap("bob@example.org", h.daemon->table("alias")).first == 0);

    // SIGTERM: exits 0 while Postfix still holds connections.
    CHECK(h.daemon->process().stop() == 0);
    CHECK(h.send("alice@example.org").replied("451 4.3.0")); // no table: try later
}

TEST_CASE("vmaildir-postfix: a broken configuration at start answers TEMP") {
    std::string dir = std::string(VMAILDIR_TEST_WORK_DIR) + "/pf-broken";
    fs::remove_all(dir);
    fs::create_directories(dir);
    std::ofstream(dir + "/vmaildir.conf") << "search_base = o=x\nfrobnicate = 1\n";
    TableDaemon daemon(dir, dir + "/vmaildir.conf");
    PostfixInstance pf(dir + "/postfix", {{"virtual_mailbox_domains", daemon.table("domain")},
                                          {"virtual_alias_domains", ""},
                                          {"virtual_alias_maps", daemon.table("alias")},
                                          {"virtual_mailbox_maps", daemon.table("mailbox")}});
    Swaks s = pf.swaks("--from a@b.test --to alice@example.org");
    CHECK(s.replied("451 4.3.0"));
    CHECK(read_file(dir + "/vmaildir-postfix.log").find("frobnicate") != std::string::npos);
}

TEST_CASE("vmaildir-postfix: many persistent connections at once, pipelined requests") {
    PostfixHost h("pf-connections");
    constexpr int clients = 200, requests = 5;
    std::atomic<int> answered{0}, wrong{0};
    std::vector<std::thread> threads;
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&, c] {
            int fd = socket(AF_UNIX, SOCK_STREAM, 0);
            sockaddr_un a{};
            a.sun_family = AF_UNIX;
            std::strncpy(a.sun_path, h.daemon->socket().c_str(), sizeof a.sun_path - 1);
            if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
                ++wrong;
                close(fd);
                return;
            }
            // All requests at once (pipelined), then read every reply in order.
            std::string batch;
            for (int r = 0; r < requests; ++r)
                batch += vmaildir::postfix::netstring(
                    (r % 2 ? "alias info@example.org" : "mailbox nobody" + std::to_string(c) +
                                                            "@example.org"));
            if (send(fd, batch.data(), batch.size(), MSG_NOSIGNAL) !=
                static_cast<ssize_t>(batch.size()))
                ++wrong;
            vmaildir::postfix::NetstringReader reader;
            std::string payload;
            char buf[4096];
            for (int r = 0; r < requests;) {
                auto status = reader.next(payload);
                if (status == vmaildir::postfix::NetstringReader::Status::complete) {
                    bool ok = r % 2 ? payload == "OK alice@example.org,bob@example.org"
                                    : payload == "NOTFOUND ";
                    ok ? ++answered : ++wrong;
                    ++r;
                    continue;
                }
                ssize_t n = recv(fd, buf, sizeof buf, 0);
                if (n <= 0 || status == vmaildir::postfix::NetstringReader::Status::malformed) {
                    ++wrong;
                    break;
                }
                reader.feed(std::string_view(buf, static_cast<std::size_t>(n)));
            }
            close(fd);
        });
    for (auto& t : threads)
        t.join();
    CHECK(wrong.load() == 0);
    CHECK(answered.load() == clients * requests);
}
