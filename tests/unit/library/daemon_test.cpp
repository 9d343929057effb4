// The program skeleton (vmaildir/daemon/, vmaildir/service/bootstrap.hpp): command lines,
// endpoints, the common daemon options and their checks, and the bootstrap's handling of a
// broken configuration.  One named row per question.
#include "vmaildir/daemon/command_line.hpp"
#include "vmaildir/daemon/daemon.hpp"
#include "vmaildir/daemon/listener.hpp"
#include "vmaildir/service/bootstrap.hpp"

#include <cstdlib>
#include <doctest/doctest.h>
#include <fstream>
#include <string>
#include <unistd.h>
#include <variant>
#include <vector>

namespace {

using namespace vmaildir;
using daemon::CommandLine;
using daemon::Option;
using K = daemon::Option::Kind;

daemon::Program test_program() {
    auto options = daemon::daemon_options({"nobody", "", "0660"});
    options.push_back({"listen,l", K::values, "a listener", std::nullopt});
    return {"vmaildir-test", "Usage: vmaildir-test\n", "\nExit status: 0\n", options, true};
}

/// Parses a command line given as words (argv[0] added).
std::optional<CommandLine> parse(std::vector<std::string> words, int& status) {
    words.insert(words.begin(), "vmaildir-test");
    std::vector<const char*> argv;
    for (const std::string& w : words)
        argv.push_back(w.c_str());
    return CommandLine::parse(test_program(), static_cast<int>(argv.size()), argv.data(), status);
}

} // namespace

TEST_CASE("command line: values, defaults, flags, repeats and arguments") {
    int status = -1;
    auto cl = parse({"-c", "/tmp/x.conf", "--listen", "a", "-l", "b", "-v", "cmd", "arg"}, status);
    REQUIRE(cl);
    CHECK(status == 0);
    CHECK(cl->value("config") == "/tmp/x.conf");
    CHECK(cl->has("config"));
    CHECK(cl->values("listen") == std::vector<std::string>{"a", "b"});
    CHECK(cl->has("verbose"));
    CHECK(cl->arguments() == std::vector<std::string>{"cmd", "arg"});
    // Absent: has() is false, value() is the default, or "" without one.
    CHECK_FALSE(cl->has("user"));
    CHECK(cl->value("user") == "nobody");
    CHECK(cl->value("socket-group").empty());
    CHECK(cl->values("nosuch").empty());
    CHECK(cl->value("nosuch").empty());
}

TEST_CASE("command line: --help and usage errors end the program") {
    struct Row {
        const char* name;
        std::vector<std::string> words;
        int status;
    };
    const Row rows[] = {
        {"--help", {"--help"}, 0},
        {"-h", {"-h"}, 0},
        {"unknown option", {"--frobnicate"}, 64},
        {"value missing", {"--config"}, 64},
        {"a flag given a value", {"--verbose=yes"}, 64},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        int status = -1;
        CHECK_FALSE(parse(r.words, status));
        CHECK(status == r.status);
    }
}

TEST_CASE("endpoints: unix and inet, and what is refused") {
    struct Row {
        const char* name;
        std::string text;
        bool ok;
        std::string says; ///< the path or host when ok, else a part of the problem
    };
    const Row rows[] = {
        {"unix", "unix:/run/vmaildir/exim.sock", true, "/run/vmaildir/exim.sock"},
        {"IPv4", "inet:127.0.0.1:2530", true, "127.0.0.1"},
        {"IPv6 in brackets", "inet:[::1]:2530", true, "::1"},
        {"relative unix path", "unix:run/x", false, "absolute path"},
        {"unix path too long", "unix:/" + std::string(120, 'x'), false, "too long"},
        {"no port", "inet:127.0.0.1", false, "HOST:PORT"},
        {"port 0", "inet:127.0.0.1:0", false, "bad port '0'"},
        {"host name", "inet:localhost:25", false, "numeric"},
        {"unknown kind", "tcp:127.0.0.1:25", false, "unix:PATH or inet:HOST:PORT"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        auto parsed = daemon::parse_endpoint(r.text);
        if (r.ok) {
            REQUIRE(std::holds_alternative<daemon::Endpoint>(parsed));
            const auto& e = std::get<daemon::Endpoint>(parsed);
            CHECK((e.unix_socket ? e.path : e.host) == r.says);
            CHECK(e.text == r.text);
        } else {
            REQUIRE(std::holds_alternative<std::string>(parsed));
            CHECK(std::get<std::string>(parsed).find(r.says) != std::string::npos);
        }
    }
}

TEST_CASE("daemon options: checked before anything starts") {
    struct Row {
        const char* name;
        std::vector<std::string> words;
        std::string problem; ///< "" when accepted
    };
    const Row rows[] = {
        {"defaults", {}, ""},
        {"socket mode 0600", {"--socket-mode", "0600"}, ""},
        {"socket mode without the leading 0", {"--socket-mode", "660"}, ""},
        {"socket mode with an 8", {"--socket-mode", "0668"}, "octal"},
        {"socket mode over 0777", {"--socket-mode", "01777"}, "octal"},
        {"socket mode not a number", {"--socket-mode", "abc"}, "octal"},
        {"socket mode empty", {"--socket-mode", ""}, "octal"},
        {"socket mode world-writable", {"--socket-mode", "0666"}, "--allow-world-writable"},
        {"socket mode world-writable, allowed",
         {"--socket-mode", "0666", "--allow-world-writable"},
         ""},
        {"socket mode that would overflow", {"--socket-mode", "77777777777777777777777"}, "octal"},
        {"unknown group", {"--socket-group", "no-such-group-here"}, "no such group"},
        {"no connections", {"--max-connections", "0"}, "--max-connections"},
        {"negative connections", {"--max-connections", "-1"}, "--max-connections"},
        {"connections not a number", {"--max-connections", "many"}, "--max-connections"},
        {"idle timeout 0", {"--idle-timeout", "0"}, "--idle-timeout"},
        {"idle timeout negative", {"--idle-timeout", "-1"}, "--idle-timeout"},
        {"request timeout 0", {"--request-timeout", "0"}, "--request-timeout"},
        {"request timeout over an hour", {"--request-timeout", "3601"}, "--request-timeout"},
        {"unknown log target", {"--log", "file"}, "syslog or stderr"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        int status = -1;
        auto cl = parse(r.words, status);
        REQUIRE(cl);
        auto settings = daemon::daemon_settings(*cl);
        if (r.problem.empty()) {
            CHECK(std::holds_alternative<daemon::DaemonSettings>(settings));
        } else {
            REQUIRE(std::holds_alternative<std::string>(settings));
            CHECK(std::get<std::string>(settings).find(r.problem) != std::string::npos);
        }
    }
    int status = -1;
    auto cl = parse({"--socket-mode", "0640", "--max-connections", "5", "--idle-timeout", "7",
                     "--request-timeout", "3", "--user", "mail", "--log", "stderr"},
                    status);
    REQUIRE(cl);
    auto s = std::get<daemon::DaemonSettings>(daemon::daemon_settings(*cl));
    CHECK(s.sockets.mode == 0640);
    CHECK_FALSE(s.sockets.group);
    CHECK(s.limits.max_connections == 5);
    CHECK(s.limits.idle_timeout == std::chrono::seconds(7));
    CHECK(s.limits.request_timeout == std::chrono::seconds(3));
    CHECK(s.user == "mail");
    CHECK(s.log_target == "stderr");
    CHECK(s.config_path == default_config_path);
}

TEST_CASE("bootstrap: a broken configuration gives a broken service naming the problem") {
    char dir[] = "/tmp/vmaildir-bootstrap-XXXXXX";
    REQUIRE(mkdtemp(dir));
    const std::string path = std::string(dir) + "/vmaildir.conf";
    std::ofstream(path) << "search_base = o=x\nfrobnicate = 1\n";
    Bootstrap broken(path, {"test", "stderr", "stderr", LogLevel::error});
    CHECK(broken.config() == nullptr);
    CHECK(broken.problem().rfind(path + ":2: frobnicate: unknown key", 0) == 0);
    auto service = broken.open();
    CHECK(service->is_broken());
    CHECK(service->lookup(MapName::domain, "example.org").is_temp_fail());
    CHECK(service->broken_reason().find("frobnicate") != std::string::npos);
    CHECK(broken.reload() == nullptr);

    // Fixed on disk: reload() now gives a working service, over the LDIF of the example.
    std::ofstream(path) << "search_base = o=hosting,dc=example,dc=com\nldif_file = " +
                               std::string(VMAILDIR_SOURCE_DIR) + "/examples/ldif/jamm.ldif\n";
    auto fresh = broken.reload();
    REQUIRE(fresh != nullptr);
    CHECK(fresh->lookup(MapName::domain, "example.org").is_found());
    Bootstrap good(path, {"test", "stderr", "stderr", LogLevel::error});
    REQUIRE(good.config() != nullptr);
    CHECK(good.problem().empty());
    CHECK(good.open()->lookup(MapName::alias, "alice@example.org").is_found());
    std::remove(path.c_str());
    rmdir(dir);
}
