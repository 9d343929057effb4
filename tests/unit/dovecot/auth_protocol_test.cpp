// The Dovecot authentication protocol, server side (dovecot-auth/auth_protocol.hpp): the
// handshake both hosts read, PLAIN and LOGIN as Exim and Postfix send them, and the three
// outcomes — OK, FAIL (535), and a closed connection for directory trouble (4xx).
#include "auth_protocol.hpp"
#include "vmaildir/util/base64.hpp"

#include <doctest/doctest.h>
#include <string>

namespace {

using vmaildir::Result;
using vmaildir::util::base64_encode;
namespace dc = vmaildir::dovecot;
using namespace std::string_literals;

/// alice@example.org / alice-pw is right; down@example.org has directory trouble.
dc::Conversation conversation(std::string* service_seen = nullptr) {
    return dc::Conversation([service_seen](std::string_view login, std::string_view password,
                                           std::string_view service) -> Result<std::string> {
        if (service_seen)
            *service_seen = std::string(service);
        if (login == "down@example.org")
            return Result<std::string>::temp_fail("LDAP server down");
        if (login == "alice@example.org" && password == "alice-pw")
            return Result<std::string>::found("alice@example.org");
        return Result<std::string>::not_found("wrong password");
    });
}

TEST_CASE("handshake: what Exim and Postfix wait for, ending in DONE") {
    CHECK(dc::handshake(42, 7, "00ff") ==
          "VERSION\t1\t2\nMECH\tPLAIN\tplaintext\nMECH\tLOGIN\tplaintext\nSPID\t42\nCUID\t7\n"
          "COOKIE\t00ff\nDONE\n");
}

TEST_CASE("PLAIN with an initial response, as Exim sends it") {
    std::string service;
    auto c = conversation(&service);
    CHECK(c.line("VERSION\t1\t0").reply.empty());
    CHECK(c.line("CPID\t1234").reply.empty());
    const std::string good = base64_encode("\0alice@example.org\0alice-pw"s);
    auto ok =
        c.line("AUTH\t1\tPLAIN\tservice=smtp\trip=127.0.0.1\tlip=127.0.0.1\tnologin\tresp=" + good);
    CHECK(ok.reply == "OK\t1\tuser=alice@example.org\n");
    CHECK_FALSE(ok.close);
    CHECK(service == "smtp");
    auto wrong =
        c.line("AUTH\t2\tPLAIN\tservice=smtp\tresp=" + base64_encode("\0alice@example.org\0nope"s));
    CHECK(wrong.reply == "FAIL\t2\tuser=alice@example.org\treason=Authentication failed\n");
    CHECK_FALSE(wrong.close);
    // Logged at info for fail2ban and the like, never with the password.
    CHECK(wrong.notice.rfind("login alice@example.org (smtp): refused: ", 0) == 0);
    CHECK(wrong.notice.find("nope") == std::string::npos);
    CHECK(ok.notice.empty());
}

TEST_CASE("PLAIN without an initial response: an empty challenge, then CONT") {
    auto c = conversation();
    CHECK(c.line("AUTH\t5\tplain\tservice=smtp").reply == "CONT\t5\t\n");
    CHECK(c.line("CONT\t5\t" + base64_encode("\0alice@example.org\0alice-pw"s)).reply ==
          "OK\t5\tuser=alice@example.org\n");
    // Exim sends an empty resp= in that case.
    CHECK(c.line("AUTH\t1\tPLAIN\tservice=smtp\tnologin\tresp=").reply == "CONT\t1\t\n");
}

TEST_CASE("abandoned requests are forgotten, not refused") {
    auto c = conversation();
    for (int id = 1; id <= 40; ++id)
        CHECK(c.line("AUTH\t" + std::to_string(id) + "\tLOGIN").reply.rfind("CONT", 0) == 0);
    CHECK(c.line("CONT\t40\t" + base64_encode("alice@example.org")).reply.rfind("CONT", 0) == 0);
}

TEST_CASE("LOGIN: user name, then password") {
    auto c = conversation();
    CHECK(c.line("AUTH\t1\tLOGIN\tservice=smtp").reply ==
          "CONT\t1\t" + base64_encode("Username:") + "\n");
    CHECK(c.line("CONT\t1\t" + base64_encode("alice@example.org")).reply ==
          "CONT\t1\t" + base64_encode("Password:") + "\n");
    CHECK(c.line("CONT\t1\t" + base64_encode("alice-pw")).reply ==
          "OK\t1\tuser=alice@example.org\n");
}

TEST_CASE("LOGIN: a password with a NUL is refused before any check") {
    // As PLAIN, which cannot carry one; crypt(3) would read only up to the NUL (the
    // dovecot_auth fuzz harness found LOGIN handing it to the password check).
    auto c = conversation();
    c.line("AUTH\t1\tLOGIN\tservice=smtp");
    c.line("CONT\t1\t" + base64_encode("alice@example.org"));
    CHECK(c.line("CONT\t1\t" + base64_encode("alice-pw\0anything"s)).reply ==
          "FAIL\t1\treason=Invalid password\n");
}

TEST_CASE("directory trouble closes the connection without an answer") {
    auto c = conversation();
    auto s =
        c.line("AUTH\t1\tPLAIN\tservice=smtp\tresp=" + base64_encode("\0down@example.org\0x"s));
    CHECK(s.reply.empty());
    CHECK(s.close);
    CHECK(s.log.find("LDAP server down") != std::string::npos);
    CHECK(s.log.find("x") != std::string::npos); // (the login, never the password)
    CHECK(s.log.find("\0x"s) == std::string::npos);
}

TEST_CASE("bad input fails or closes, never authenticates") {
    struct Row {
        std::string name;
        std::string line;
        std::string reply_start;
        bool close;
    };
    const Row rows[] = {
        {"bad base64", "AUTH\t1\tPLAIN\tresp=!!!", "FAIL\t1\treason=Invalid base64", false},
        {"PLAIN without NULs", "AUTH\t1\tPLAIN\tresp=" + base64_encode("alice"), "FAIL\t1\t",
         false},
        {"acting for another identity",
         "AUTH\t1\tPLAIN\tresp=" + base64_encode("bob@example.org\0alice@example.org\0alice-pw"s),
         "FAIL\t1\treason=Authorization identity", false},
        {"empty login", "AUTH\t1\tPLAIN\tresp=" + base64_encode("\0\0pw"s), "FAIL\t1\t", false},
        {"unknown mechanism", "AUTH\t1\tCRAM-MD5", "FAIL\t1\treason=Unsupported", false},
        {"non-numeric id", "AUTH\tx\tPLAIN", "", true},
        {"AUTH without a mechanism", "AUTH\t1", "", true},
        {"CONT for nothing", "CONT\t9\tYQ==", "", true},
        {"another major version", "VERSION\t2\t0", "", true},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        auto c = conversation();
        auto s = c.line(row.line);
        CHECK(s.reply.rfind(row.reply_start, 0) == 0);
        CHECK(s.reply.find("OK") != 0);
        CHECK(s.close == row.close);
    }
}

TEST_CASE("a login with a TAB cannot break the reply line") {
    auto c = conversation();
    auto s = c.line("AUTH\t1\tPLAIN\tresp=" + base64_encode("\0a\tb@x\0pw"s));
    CHECK(s.reply == "FAIL\t1\tuser=a?b@x\treason=Authentication failed\n");
}

} // namespace
