// Courier's authdaemond, imapd and pop3d for integration tests.  They only work inside
// tests/integration/courier-namespace, where /etc/courier, /usr/lib/courier-authlib,
// /run/courier and /var/mail are private to the test.
#pragma once

#include <cstdlib>
#include <fstream>
#include <regex>
#include <string>

#include "support/process.hpp"
#include "support/slapd.hpp"

namespace vmaildir::test {

/// Rewrites `NAME=value` lines of a Courier configuration file (appending missing ones).
inline void set_courier_options(const std::string& file,
                                const std::vector<std::pair<std::string, std::string>>& options) {
    std::string text = read_file(file) + "\n";
    for (const auto& [name, value] : options) {
        std::regex line("^" + name + "=.*$", std::regex::multiline);
        std::string replacement = name + "=" + value;
        if (std::regex_search(text, line))
            text = std::regex_replace(text, line, replacement);
        else
            text += replacement + "\n";
    }
    std::ofstream(file) << text;
}

/// authdaemond with a module list and vmaildir configuration; stopped (by its PID file) and
/// waited for when destroyed.
class AuthDaemon {
public:
    AuthDaemon(const std::string& modules, const std::string& vmaildir_config, int daemons = 2) {
        set_courier_options("/etc/courier/authdaemonrc",
                            {{"authmodulelist", "\"" + modules + "\""},
                             {"daemons", std::to_string(daemons)},
                             {"VMAILDIR_CONFIG", vmaildir_config}});
        // tools/sanitize preloads the ASan runtime into authdaemond for the module it loads.
        const char* env = std::getenv("VMAILDIR_TEST_AUTHDAEMOND_ENV");
        run(std::string(env ? "env " + std::string(env) + " " : "") + "/usr/sbin/authdaemond start");
        if (!wait_for([] { return unix_open(socket()); }, std::chrono::seconds(10)))
            throw std::runtime_error("authdaemond did not start");
    }
    ~AuthDaemon() { stop(); }
    AuthDaemon(const AuthDaemon&) = delete;
    AuthDaemon& operator=(const AuthDaemon&) = delete;

    static std::string socket() { return "/run/courier/authdaemon/socket"; }
    void stop() { stop_by_pid_file("/usr/sbin/authdaemond stop", "/run/courier/authdaemon/pid"); }

    /// Stops a courierlogger-run service and waits until the PID in its PID file is gone.
    static void stop_by_pid_file(const std::string& command, const std::string& pid_file) {
        std::string pid = read_file(pid_file);
        status_of(command);
        if (!pid.empty())
            wait_for([&] {
                std::string stat = read_file("/proc/" + pid + "/stat");
                auto close = stat.rfind(')');
                return stat.empty() ||
                       (close != std::string::npos && close + 2 < stat.size() &&
                        stat[close + 2] == 'Z');
            }, std::chrono::seconds(10));
    }
};

/// Courier imapd or pop3d (Debian's start scripts, with the private /etc/courier) on
/// 127.0.0.1:port.
class CourierServer {
public:
    CourierServer(const std::string& name, int port) : name_(name), port_(port) {
        set_courier_options("/etc/courier/" + name_,
                            {{"ADDRESS", "127.0.0.1"},
                             {"PORT", std::to_string(port_)},
                             {"PIDFILE", "/run/courier/" + name_ + ".pid"}});
        run("/usr/sbin/" + name_ + " start");
        if (!wait_for([&] { return tcp_open(port_); }, std::chrono::seconds(10)))
            throw std::runtime_error(name_ + " did not start");
    }
    ~CourierServer() {
        AuthDaemon::stop_by_pid_file("/usr/sbin/" + name_ + " stop",
                                     "/run/courier/" + name_ + ".pid");
    }
    CourierServer(const CourierServer&) = delete;
    CourierServer& operator=(const CourierServer&) = delete;
    int port() const { return port_; }

private:
    std::string name_;
    int port_;
};

/// authtest(1) with shell-quoted arguments: {exit status, output}.
inline std::pair<int, std::string> authtest(const std::string& args) {
    std::string out = "/run/courier/authtest.out";
    int rc = status_of("authtest " + args + " > " + out + " 2>&1", true);
    return {rc, read_file(out)};
}

/// curl against a mail server: {exit status, output}.
inline std::pair<int, std::string> curl(const std::string& args) {
    std::string out = "/run/courier/curl.out";
    int rc = status_of("curl -s --max-time 30 " + args + " > " + out + " 2>&1", true);
    return {rc, read_file(out)};
}

} // namespace vmaildir::test
