// vmaildir-exim's readsocket protocol (exim-lookup/protocol.hpp): requests, the three outcomes
// in Exim's terms, and values that Exim would interpret refused or quoted.  One named row per
// question.
#include "listen_spec.hpp"
#include "protocol.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace {

using vmaildir::MapName;
using Values = vmaildir::Result<std::vector<std::string>>;
namespace ex = vmaildir::exim;
using namespace std::string_literals;

TEST_CASE("requests: map and key, blanks and the newline tolerated") {
    struct Row {
        std::string name;
        std::string text;
        std::optional<std::string> map;
        std::string key;
    };
    const Row rows[] = {
        {"plain", "recipient alice@example.org\n", "recipient", "alice@example.org"},
        {"no newline (EOF after the half-close)", "domain example.org", "domain", "example.org"},
        {"CRLF", "mailbox a@b\r\n", "mailbox", "a@b"},
        {"macro blanks around", " domain example.org \n", "domain", "example.org"},
        {"key with spaces (quoted local part)", "recipient a b@x\n", "recipient", "a b@x"},
        {"hostile key kept verbatim", "recipient *)(uid=*\\@x\n", "recipient", "*)(uid=*\\@x"},
        {"no key", "domain\n", std::nullopt, ""},
        {"only blanks after the map", "domain   \n", std::nullopt, ""},
        {"empty", "\n", std::nullopt, ""},
        {"a second line", "domain a\ndomain b\n", std::nullopt, ""},
        {"a NUL inside", "domain a\0b\n"s, std::nullopt, ""},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        auto r = ex::parse_request(row.text);
        REQUIRE(r.has_value() == row.map.has_value());
        if (r) {
            CHECK(r->map == *row.map);
            CHECK(r->key == row.key);
        }
    }
}

TEST_CASE("request maps: the core's names, alias answering the final set") {
    CHECK(ex::request_map("domain") == MapName::domain);
    CHECK(ex::request_map("recipient") == MapName::recipient);
    CHECK(ex::request_map("alias") == MapName::recipient);
    CHECK(ex::request_map("sender") == MapName::sender);
    CHECK_FALSE(ex::request_map("passwd").has_value());
}

TEST_CASE("replies: found, not found, temporary failure") {
    struct Row {
        std::string name;
        MapName map;
        Values result;
        std::string reply;
    };
    const Row rows[] = {
        {"domain found", MapName::domain, Values::found({"example.org"}), "example.org"},
        {"not found is said, never an empty reply", MapName::domain,
         Values::not_found("no such domain"), ":notfound:"},
        {"a value that reads as not found", MapName::transport, Values::found({":notfound:"}),
         ":defer: a value that reads as a reply word: :notfound:"},
        {"a value that reads as a deferral", MapName::domain, Values::found({":defer: x"}),
         ":defer: a value that reads as a reply word: :defer: x"},
        {"an empty value (an empty reply is no answer)", MapName::uid, Values::found({""}),
         ":defer: a value that reads as a reply word: "},
        {"an empty mailbox", MapName::mailbox, Values::found({""}),
         ":defer: a value that reads as a reply word: "},
        {"temporary failure", MapName::recipient, Values::temp_fail("LDAP server down"),
         ":defer: LDAP server down"},
        {"a reason on one line", MapName::mailbox, Values::temp_fail("two\nlines\r"),
         ":defer: two\\x0Alines\\x0D"},
        {"default result is a failure", MapName::uid, Values(), ":defer: no result was produced"},
        {"mailbox", MapName::mailbox, Values::found({"example.org/alice/"}), "example.org/alice/"},
        {"mailbox escaping the base", MapName::mailbox, Values::found({"example.org/../../etc/"}),
         ":defer: unsafe mailbox path example.org/../../etc/ (a '..' segment or a control "
         "character)"},
        {"mailbox with a newline", MapName::mailbox, Values::found({"a/\nb/"}),
         ":defer: unsafe mailbox path a/\\x0Ab/ (a '..' segment or a control character)"},
        {"uid", MapName::uid, Values::found({"5000"}), "5000"},
        {"quota Courier style", MapName::quota, Values::found({"100000000S"}), "100000000"},
        {"quota mailrouter style", MapName::quota, Values::found({"100M"}), "104857600"},
        {"quota malformed", MapName::quota, Values::found({"lots"}),
         ":defer: malformed quota lots"},
        {"fan-out", MapName::recipient, Values::found({"alice@example.org", "bob@example.net"}),
         "alice@example.org, bob@example.net"},
        {"senders", MapName::sender, Values::found({"alice@example.org", "bob@example.org"}),
         "alice@example.org : bob@example.org"},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        CHECK(ex::reply(row.map, row.result) == row.reply);
    }
}

TEST_CASE("redirect lists: what Exim would interpret is quoted or refused") {
    struct Row {
        std::string name;
        std::vector<std::string> addresses;
        std::optional<std::string> list;
    };
    const Row rows[] = {
        {"plain", {"a.b+c@example.org"}, "a.b+c@example.org"},
        {"a pipe", {"|/bin/sh@example.org"}, "\"|/bin/sh\"@example.org"},
        {"a file", {"/etc/passwd@example.org"}, "\"/etc/passwd\"@example.org"},
        {"an include", {":include:/etc/x@example.org"}, "\":include:/etc/x\"@example.org"},
        {"a comment", {"#x@example.org"}, "\"#x\"@example.org"},
        {"a comma", {"a,b@example.org"}, "\"a,b\"@example.org"},
        {"a backslash and a quote", {"a\\\"b@example.org"}, "\"a\\\\\\\"b\"@example.org"},
        {"a space", {"a b@example.org"}, "\"a b\"@example.org"},
        {"dots at the edges", {".a.@example.org"}, "\".a.\"@example.org"},
        {"unqualified", {"postmaster"}, "postmaster"},
        {"address literal", {"a@[192.0.2.1]"}, "a@[192.0.2.1]"},
        {"a newline", {"a\n|cmd@example.org"}, std::nullopt},
        {"a NUL", {"a\0b@example.org"s}, std::nullopt},
        {"a hostile domain", {"a@b,|cmd"}, std::nullopt},
        {"an empty address", {""}, std::nullopt},
    };
    for (const Row& row : rows) {
        CAPTURE(row.name);
        CHECK(ex::redirect_list(row.addresses) == row.list);
    }
    CHECK(ex::reply(MapName::recipient, Values::found({"a@b,|cmd"})).rfind(":defer: ", 0) == 0);
}

TEST_CASE("colon lists: colons doubled, list syntax refused") {
    CHECK(ex::colon_list({"a@x", "b:c@x"}) == "a@x : b::c@x");
    CHECK_FALSE(ex::colon_list({"<;a@x"}).has_value());
    CHECK_FALSE(ex::colon_list({"a\n@x"}).has_value());
    CHECK_FALSE(ex::colon_list({""}).has_value());
}

TEST_CASE("listen specs") {
    auto unix_spec = ex::parse_listen_spec("readsocket:unix:/run/vmaildir/exim.sock");
    REQUIRE(std::holds_alternative<ex::ListenSpec>(unix_spec));
    CHECK(std::get<ex::ListenSpec>(unix_spec).path == "/run/vmaildir/exim.sock");
    auto inet = ex::parse_listen_spec("readsocket:inet:[::1]:2528");
    REQUIRE(std::holds_alternative<ex::ListenSpec>(inet));
    CHECK(std::get<ex::ListenSpec>(inet).host == "::1");
    CHECK(std::get<ex::ListenSpec>(inet).port == 2528);
    auto bad = ex::parse_listen_spec("socketmap:unix:/x");
    REQUIRE(std::holds_alternative<std::string>(bad));
    CHECK(std::get<std::string>(bad).find("'socketmap:unix:/x'") == 0);
    auto relative = ex::parse_listen_spec("readsocket:unix:exim.sock");
    CHECK(std::holds_alternative<std::string>(relative));
}

} // namespace
