// vmaildir-postfix's listener syntax (postfix-tcp-table/listen_spec.hpp): every accepted form,
// and every problem refused with a message that quotes the specification.  One named row per
// question.
#include "listen_spec.hpp"
#include "vmaildir/resolve/maps.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace {

using vmaildir::MapName;
using vmaildir::parse_map_name;
namespace pf = vmaildir::postfix;

TEST_CASE("listen spec: accepted forms") {
    const std::string path107 = "/" + std::string(106, 'p'); // sun_path is 108 with the NUL
    struct Row {
        std::string name;
        std::string spec;
        pf::Protocol protocol;
        std::optional<MapName> map;
        bool unix_socket;
        std::string path;
        std::string host;
        int port;
    };
    const Row rows[] = {
        {"socketmap on a unix socket", "socketmap:unix:/run/vmaildir/postfix.sock",
         pf::Protocol::socketmap, std::nullopt, true, "/run/vmaildir/postfix.sock", "", 0},
        {"socketmap, longest unix path", "socketmap:unix:" + path107, pf::Protocol::socketmap,
         std::nullopt, true, path107, "", 0},
        {"socketmap, path with a colon", "socketmap:unix:/run/a:b", pf::Protocol::socketmap,
         std::nullopt, true, "/run/a:b", "", 0},
        {"socketmap on IPv4", "socketmap:inet:127.0.0.1:2526", pf::Protocol::socketmap,
         std::nullopt, false, "", "127.0.0.1", 2526},
        {"socketmap on IPv6 in brackets", "socketmap:inet:[::1]:2526", pf::Protocol::socketmap,
         std::nullopt, false, "", "::1", 2526},
        {"port 1", "socketmap:inet:0.0.0.0:1", pf::Protocol::socketmap, std::nullopt, false, "",
         "0.0.0.0", 1},
        {"port 65535", "socketmap:inet:[::]:65535", pf::Protocol::socketmap, std::nullopt, false,
         "", "::", 65535},
        {"tcp_table on IPv4", "tcp:inet:127.0.0.1:2527:alias", pf::Protocol::tcp_table,
         MapName::alias, false, "", "127.0.0.1", 2527},
        {"tcp_table on IPv6", "tcp:inet:[::1]:2527:mailbox", pf::Protocol::tcp_table,
         MapName::mailbox, false, "", "::1", 2527},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        auto parsed = pf::parse_listen_spec(r.spec);
        if (const std::string* problem = std::get_if<std::string>(&parsed)) {
            FAIL_CHECK(*problem);
            continue;
        }
        const pf::ListenSpec& s = std::get<pf::ListenSpec>(parsed);
        CHECK(s.protocol == r.protocol);
        CHECK(s.map == r.map);
        CHECK(s.unix_socket == r.unix_socket);
        CHECK(s.path == r.path);
        CHECK(s.host == r.host);
        CHECK(s.port == r.port);
        CHECK(s.text == r.spec);
    }
}

TEST_CASE("listen spec: tcp_table accepts every map name") {
    const std::vector<std::string> names = vmaildir::map_names();
    REQUIRE(names.size() == 9);
    for (const std::string& map : names) {
        std::string spec = "tcp:inet:127.0.0.1:2527:" + map;
        CAPTURE(spec);
        auto parsed = pf::parse_listen_spec(spec);
        REQUIRE(std::holds_alternative<pf::ListenSpec>(parsed));
        const pf::ListenSpec& s = std::get<pf::ListenSpec>(parsed);
        CHECK(s.protocol == pf::Protocol::tcp_table);
        CHECK(s.map == parse_map_name(map));
        CHECK(s.host == "127.0.0.1");
        CHECK(s.port == 2527);
    }
}

TEST_CASE("listen spec: every problem is refused with a message naming the spec") {
    const std::string path108 = "/" + std::string(107, 'p');
    struct Row {
        std::string name;
        std::string spec;
        std::string says; ///< a part of the message
    };
    const Row rows[] = {
        {"relative unix path", "socketmap:unix:private/vmaildir", "absolute path"},
        {"empty unix path", "socketmap:unix:", "absolute path"},
        {"unix path too long for sun_path", "socketmap:unix:" + path108, "too long"},
        {"port 0", "socketmap:inet:127.0.0.1:0", "bad port '0'"},
        {"port 65536", "socketmap:inet:127.0.0.1:65536", "bad port '65536'"},
        {"port abc", "socketmap:inet:127.0.0.1:abc", "bad port 'abc'"},
        {"empty port", "socketmap:inet:127.0.0.1:", "bad port ''"},
        {"negative port", "socketmap:inet:127.0.0.1:-1", "bad port '-1'"},
        {"port with trailing garbage", "socketmap:inet:127.0.0.1:25x", "bad port '25x'"},
        {"huge port", "socketmap:inet:127.0.0.1:99999999999999999999", "bad port"},
        {"host name refused (numeric only)", "socketmap:inet:localhost:2526", "numeric"},
        {"bracketed host name", "socketmap:inet:[localhost]:2526", "numeric"},
        {"bad IPv4", "socketmap:inet:127.0.0.256:2526", "numeric"},
        {"empty host", "socketmap:inet::2526", "numeric"},
        {"empty brackets", "socketmap:inet:[]:2526", "numeric"},
        {"no port", "socketmap:inet:127.0.0.1", "HOST:PORT"},
        {"IPv6 without port", "socketmap:inet:[::1]", "bad port"},
        {"unknown transport", "socketmap:tcp:127.0.0.1:2526", "unix:PATH or inet:HOST:PORT"},
        {"socketmap with nothing after it", "socketmap:", "unix:PATH or inet:HOST:PORT"},
        {"tcp without a map", "tcp:inet:127.0.0.1:2527", ":MAP"},
        {"tcp unix without a map", "tcp:unix:/run/vmaildir/tcp.sock", ":MAP"},
        {"tcp with an unknown map", "tcp:inet:127.0.0.1:2527:mailboxes", "unknown map 'mailboxes'"},
        {"tcp map names are case-sensitive", "tcp:inet:127.0.0.1:2527:Mailbox",
         "unknown map 'Mailbox'"},
        {"tcp with an empty map", "tcp:inet:127.0.0.1:2527:", "unknown map ''"},
        {"tcp with nothing after it", "tcp:", ":MAP"},
        {"tcp with a bad port", "tcp:inet:127.0.0.1:0:alias", "bad port '0'"},
        {"tcp with a host name", "tcp:inet:localhost:2527:alias", "numeric"},
        {"tcp on a unix socket (Postfix cannot reach it)", "tcp:unix:/run/tcp.sock:alias",
         "TCP only"},
        {"unknown protocol", "sockmap:unix:/run/x.sock", "expected socketmap:"},
        {"protocol in upper case", "SOCKETMAP:unix:/run/x.sock", "expected socketmap:"},
        {"Postfix's map name pasted whole", "socketmap:inet:127.0.0.1:2526:mailbox",
         "bad port 'mailbox'"},
        {"bare endpoint", "inet:127.0.0.1:2526", "expected socketmap:"},
        {"empty", "", "expected socketmap:"},
    };
    for (const Row& r : rows) {
        std::string name = r.name;
        CAPTURE(name);
        auto parsed = pf::parse_listen_spec(r.spec);
        const std::string* problem = std::get_if<std::string>(&parsed);
        REQUIRE(problem != nullptr);
        CAPTURE(*problem);
        CHECK(problem->find("'" + r.spec + "'") != std::string::npos);
        CHECK(problem->find(r.says) != std::string::npos);
    }
}

} // namespace
