// A private Postfix instance (own configuration, queue and Maildir base under
// the build tree, SMTP on a free 127.0.0.1 port) wired to a vmaildir-postfix
// daemon, and the clients that drive it (swaks, postmap, postqueue).
#pragma once

#include "support/mail.hpp"
#include "support/process.hpp"
#include "support/slapd.hpp"

#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace vmaildir::test {

namespace fs = std::filesystem;


/// The `key = value` settings of an example file (examples/RELATIVE; comments skipped).
inline std::map<std::string, std::string> example_settings(const std::string& relative) {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(VMAILDIR_SOURCE_DIR) + "/examples/" + relative);
    REQUIRE(in);
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find(" = ");
        if (line.empty() || line[0] == '#' || eq == std::string::npos)
            continue;
        out[line.substr(0, eq)] = line.substr(eq + 3);
    }
    return out;
}

/// The settings of examples/postfix/FILE, with (for main.cf) the Maildir base moved into the
/// test's directory: the tests run exactly what the example tells an admin to paste.
inline std::map<std::string, std::string> example_main_cf(const std::string& vmail,
                                                          const std::string& file = "main.cf") {
    std::map<std::string, std::string> out = example_settings("postfix/" + file);
    REQUIRE(!out.empty());
    if (file == "main.cf")
        out["virtual_mailbox_base"] = vmail;
    return out;
}

/// The `-o name=value` lines of examples/postfix/FILE, with `from` (where the example keeps
/// the tables) moved to `tables`.
inline std::map<std::string, std::string>
example_virtual_options(const std::string& tables, const std::string& file = "master.cf",
                        const std::string& from = "/etc/postfix") {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(VMAILDIR_SOURCE_DIR) + "/examples/postfix/" + file);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("  -o ", 0) != 0)
            continue;
        std::string option = line.substr(5);
        if (auto at = option.find(from); at != std::string::npos)
            option.replace(at, from.size(), tables);
        auto eq = option.find('=');
        out[option.substr(0, eq)] = option.substr(eq + 1);
    }
    REQUIRE(out.count("virtual_mailbox_maps"));
    return out;
}

/// Takes smtpd_sasl_auth_enable out of `main_cf` and returns it, for PostfixInstance::set()
/// once the authentication socket exists: an smtpd that gets a client (the harness's readiness
/// probe) while the socket is missing exits with "fatal: no SASL authentication mechanisms",
/// and master then throttles smtpd for a minute, reloads or not.
inline std::map<std::string, std::string> sasl_after_start(std::map<std::string, std::string>& main_cf) {
    std::map<std::string, std::string> later;
    if (auto node = main_cf.extract("smtpd_sasl_auth_enable"))
        later.insert(std::move(node));
    return later;
}

/// vmaildir-postfix serving a configuration on a unix socket (and SOCKET-auth, the Dovecot
/// authentication protocol) and a loopback tcp_table port.
class TableDaemon {
public:
    /// Logs to DIR/vmaildir-postfix.log; the socketmap socket is `socket` (default
    /// DIR/vmaildir.sock); `options` go on its command line too.
    TableDaemon(const std::string& dir, const std::string& config_path,
                const std::string& socket = "", const std::vector<std::string>& options = {})
        : socket_(socket.empty() ? dir + "/vmaildir.sock" : socket), tcp_port_(free_port()),
          process_(command(config_path, options), dir + "/vmaildir-postfix.log") {
        if (!wait_for([&] { return unix_open(socket_); }, std::chrono::seconds(10)))
            throw std::runtime_error("vmaildir-postfix did not start; see " + dir +
                                     "/vmaildir-postfix.log");
    }
    const std::string& socket() const { return socket_; }
    int tcp_port() const { return tcp_port_; }
    /// The Postfix table of one of its maps.
    std::string table(const std::string& map) const {
        return "socketmap:unix:" + socket_ + ":" + map;
    }
    Process& process() { return process_; }

private:
    std::vector<std::string> command(const std::string& config_path,
                                     const std::vector<std::string>& options) const {
        std::vector<std::string> argv = {
            VMAILDIR_POSTFIX_DAEMON, "-c", config_path, "--log", "stderr", "-v",
            "-l", "socketmap:unix:" + socket_,
            "-l", "tcp:inet:127.0.0.1:" + std::to_string(tcp_port_) + ":alias",
            "-l", "dovecot-auth:unix:" + socket_ + "-auth",
            "--user", "nobody"};
        argv.insert(argv.end(), options.begin(), options.end());
        return argv;
    }

    std::string socket_;
    int tcp_port_;
    Process process_;
};

class PostfixInstance {
public:
    /// Starts tests/integration/postfix-harness in `dir` with these main.cf settings on top of
    /// its defaults; `virtual_options` go on the virtual service (`-o name=value` each).
    PostfixInstance(const std::string& dir, const std::map<std::string, std::string>& main_cf,
                    const std::map<std::string, std::string>& virtual_options = {},
                    bool chroot = false)
        : dir_(dir) {
        std::string args = chroot ? " --chroot" : "";
        for (const auto& [k, v] : main_cf)
            args += " --set " + shell_quote(k + "=" + v);
        for (const auto& [k, v] : virtual_options)
            args += " --virtual " + shell_quote(k + "=" + v);
        port_ = std::stoi(vmaildir::test::run(harness() + " start " + shell_quote(dir_) + args));
    }
    ~PostfixInstance() { status_of(harness() + " stop " + shell_quote(dir_)); }
    PostfixInstance(const PostfixInstance&) = delete;
    PostfixInstance& operator=(const PostfixInstance&) = delete;

    int port() const { return port_; }
    const std::string& dir() const { return dir_; }
    std::string config_dir() const { return dir_ + "/etc"; }
    std::string queue_dir() const { return dir_ + "/queue"; }
    std::string maildir(const std::string& relative) const { return dir_ + "/vmail/" + relative; }

    /// swaks against this instance; `args` are appended (already shell-quoted where needed).
    Swaks swaks(const std::string& args) const { return test::swaks(port_, args, dir_ + "/swaks.out"); }
    /// postmap -q KEY TABLE with this instance's configuration, run in its queue directory as
    /// Postfix's daemons are (relative socket paths resolve alike): {exit status, value}.
    /// Its warnings are in last_postmap_errors().
    std::pair<int, std::string> postmap(const std::string& key, const std::string& table) const {
        std::string out = dir_ + "/postmap.out", err = dir_ + "/postmap.err";
        int rc = status_of("cd " + shell_quote(queue_dir()) + " && postmap -c " +
                               shell_quote(config_dir()) + " -q " + shell_quote(key) +
                           " " + shell_quote(table) + " > " + shell_quote(out) + " 2> " +
                               shell_quote(err),
                           true);
        return {rc, read_file(out)};
    }
    std::string last_postmap_errors() const { return read_file(dir_ + "/postmap.err"); }
    void flush() const { run("postqueue -c " + shell_quote(config_dir()) + " -f"); }
    /// Messages still in the queue (any state).
    std::size_t queued() const {
        std::size_t n = 0;
        for (const char* q : {"incoming", "active", "deferred", "hold", "maildrop"})
            if (fs::exists(dir_ + "/queue/" + q))
                for (const auto& e : fs::recursive_directory_iterator(dir_ + "/queue/" + q))
                    n += e.is_regular_file();
        return n;
    }
    /// Changes main.cf settings and reloads.
    void set(const std::map<std::string, std::string>& settings) const {
        for (const auto& [k, v] : settings)
            run("postconf -c " + shell_quote(config_dir()) + " -e " + shell_quote(k + "=" + v));
        run(postfix("reload"));
    }
    std::string log() const { return read_file(dir_ + "/maillog"); }
    /// Messages delivered to a Maildir (relative to the Maildir base), new and cur.
    std::size_t messages(const std::string& relative) const { return maildirs().messages(relative); }
    /// Whether any message in a Maildir contains `text`.
    bool maildir_contains(const std::string& relative, const std::string& text) const {
        return maildirs().contains(relative, text);
    }
    Maildirs maildirs() const { return Maildirs(dir_ + "/vmail"); }

private:
    static std::string harness() {
        return shell_quote(std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/postfix-harness");
    }
    std::string postfix(const std::string& verb) const {
        return "postfix -c " + shell_quote(config_dir()) + " " + verb + " >/dev/null 2>&1";
    }

    std::string dir_;
    int port_ = 0;
};

/// One complete host laid out like a Debian installation: slapd with the example Jamm
/// directory (plus `extra_ldif`); Postfix with smtpd, cleanup and trivial-rewrite chrooted,
/// reaching vmaildir-postfix at private/vmaildir under its queue directory (the path
/// examples/postfix uses); virtual(8) delivering through the generated ldap: table.
struct PostfixHost {
    explicit PostfixHost(const std::string& name, const std::string& extra_ldif = "",
                         const std::map<std::string, std::string>& main_cf = {})
        : slapd(name, "jamm"), dir(slapd.dir()) {
        if (!extra_ldif.empty())
            slapd.modify(extra_ldif);
        write_jamm_config(slapd);
        fs::create_directories(dir + "/tables");
        run(std::string(VMAILDIR_POSTFIX_DAEMON) + " ldap-tables -c " +
            shell_quote(dir + "/vmaildir.conf") + " --live-domains " +
            shell_quote(relative("transport")) + " --directory " + shell_quote(dir + "/tables"));
        std::map<std::string, std::string> conf = example_main_cf(dir + "/postfix/vmail");
        for (const auto& [k, v] : main_cf)
            conf[k] = v;
        auto sasl = sasl_after_start(conf);
        postfix.emplace(dir + "/postfix", conf, example_virtual_options(dir + "/tables"), true);
        daemon.emplace(dir, dir + "/vmaildir.conf", postfix->queue_dir() + "/private/vmaildir");
        if (!sasl.empty())
            postfix->set(sasl);
    }
    /// A vmaildir map as Postfix's (chrooted) daemons name it (examples/postfix/main.cf).
    static std::string relative(const std::string& map) {
        return "socketmap:unix:private/vmaildir:" + map;
    }

    Swaks send(const std::string& to, const std::string& body = "hello") const {
        return postfix->swaks("--from sender@sender.test --to " + shell_quote(to) + " --body " +
                              shell_quote(body));
    }
    /// Waits until the queue is empty (everything delivered or dropped).
    bool drained() const {
        return wait_for([&] { return postfix->queued() == 0; }, std::chrono::seconds(20));
    }

    Slapd slapd;
    std::string dir;
    std::optional<PostfixInstance> postfix;
    std::optional<TableDaemon> daemon;
};

} // namespace vmaildir::test
