// What the Courier module hands to authlib (courier-authmodule/authinfo.hpp).
#include <doctest/doctest.h>

#include "authinfo.hpp"

using namespace vmaildir;
using namespace vmaildir::courier;

TEST_CASE("courier: quota in Courier's format") {
    struct Row {
        std::string name, stored;
        std::optional<std::string> courier;
    };
    const Row rows[] = {
        {"Courier bytes", "100000000S", "100000000S"},
        {"Courier count", "1000C", "1000C"},
        {"Courier both", "100000000S,1000C", "100000000S,1000C"},
        {"blanks around", " 5000S ", "5000S"},
        {"empty: no quota", "", ""},
        {"zero: no quota", "0", ""},
        {"plain bytes", "2048", "2048S"},
        {"kilobytes", "2K", "2048S"},
        {"megabytes (the Exim layout)", "32M", "33554432S"},
        {"lower-case unit", "1m", "1048576S"},
        {"gigabytes", "1G", "1073741824S"},
        {"terabytes", "2T", "2199023255552S"},
        {"zero with a unit: no quota", "0M", ""},
        {"unknown unit", "5X", std::nullopt},
        {"negative", "-5", std::nullopt},
        {"words", "unlimited", std::nullopt},
        {"half a Courier item", "S", std::nullopt},
        {"bad Courier list", "100S,", std::nullopt},
        {"overflow", "99999999999999999999T", std::nullopt},
        {"overflow by the unit", "18014398509481984T", std::nullopt},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(courier_quota(r.stored) == r.courier);
    }
}

TEST_CASE("courier: the login authtype's data") {
    struct Row {
        std::string name, data;
        std::optional<std::pair<std::string, std::string>> parsed;
    };
    using P = std::pair<std::string, std::string>;
    const Row rows[] = {
        {"user and password", "alice@example.org\nsecret\n", P{"alice@example.org", "secret"}},
        {"no final newline", "alice\nsecret", P{"alice", "secret"}},
        {"empty password", "alice\n\n", P{"alice", ""}},
        {"password with spaces", "alice\ns e c\n", P{"alice", "s e c"}},
        {"extra lines ignored", "alice\npw\nmore\n", P{"alice", "pw"}},
        {"no newline at all", "alice", std::nullopt},
        {"empty user", "\npw\n", std::nullopt},
        {"empty", "", std::nullopt},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(parse_login(r.data) == r.parsed);
    }
}

TEST_CASE("courier: authinfo from an account") {
    Config config;
    config.schema = *preset_schema("jamm");
    Account a;
    a.address = "alice@example.org";
    a.home = "/var/mail/vhosts";
    a.mailbox = "example.org/alice/";
    a.uid = 5000;
    a.gid = 5001;
    a.quota = "100000000S";
    a.name = "Alice";

    SUBCASE("relative mailbox below the home directory") {
        auto [info, problem] = to_authinfo(a, config);
        REQUIRE(info);
        CHECK(info->maildir == "/var/mail/vhosts/example.org/alice/");
        CHECK(info->homedir == "/var/mail/vhosts");
        CHECK(info->uid == 5000);
        CHECK(info->gid == 5001);
        CHECK(info->quota == "100000000S");
        CHECK(info->fullname == "Alice");
        CHECK(info->options.empty());
    }
    SUBCASE("absolute mailbox kept") {
        a.mailbox = "/srv/mail/alice/";
        CHECK(to_authinfo(a, config).first->maildir == "/srv/mail/alice/");
    }
    SUBCASE("no mailbox: Courier's default Maildir below home") {
        a.mailbox.clear();
        CHECK(to_authinfo(a, config).first->maildir.empty());
    }
    SUBCASE("static ids win") {
        config.static_uid = 8;
        config.static_gid = 12;
        auto info = to_authinfo(a, config).first;
        CHECK(info->uid == 8);
        CHECK(info->gid == 12);
    }
    SUBCASE("service flags become options") {
        a.disable_imap = true;
        a.disable_pop3 = true;
        CHECK(to_authinfo(a, config).first->options == "disableimap=1,disablepop3=1");
    }
    SUBCASE("incomplete entries are directory trouble, with a reason") {
        Account no_home = a;
        no_home.home.clear();
        Account no_uid = a;
        no_uid.uid.reset();
        Account bad_quota = a;
        bad_quota.quota = "lots";
        for (const Account* bad : {&no_home, &no_uid, &bad_quota}) {
            auto [info, problem] = to_authinfo(*bad, config);
            CHECK_FALSE(info);
            CHECK(problem.find("alice@example.org") != std::string::npos);
        }
    }
    SUBCASE("a newline or NUL in a value would add authdaemond fields: refused, in one line") {
        // Found by the courier_authinfo fuzz harness: these went through as they were.
        struct Row {
            std::string name;
            std::string Account::*field;
            std::string value;
        };
        const Row rows[] = {
            {"name with a HOME line", &Account::name, "Alice\nHOME=/"},
            {"home with a UID line", &Account::home, "/var/mail\nUID=0"},
            {"mailbox with a newline", &Account::mailbox, "example.org/alice/\n"},
            {"home cut by a NUL", &Account::home, std::string("/var/mail\0/x", 11)},
            {"quota with a newline", &Account::quota, "32M\nOPTIONS=x"},
        };
        for (const Row& row : rows) {
            CAPTURE(row.name);
            Account bad = a;
            bad.*row.field = row.value;
            auto [info, problem] = to_authinfo(bad, config);
            CHECK_FALSE(info);
            CHECK(problem.find('\n') == std::string::npos);
            CHECK(problem.find("alice@example.org") != std::string::npos);
        }
    }
}
