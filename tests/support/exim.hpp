// A private Exim 4.96 (the binary tools/install-deps unpacks into the build
// tree) running examples/exim/exim4.conf as its real configuration, in a mount
// namespace of its own (tests/integration/exim-namespace), with spool, logs and
// Maildir base under the test's directory and SMTP on a free 127.0.0.1 port;
// and the vmaildir-exim daemon it asks.
#pragma once

#include "support/mail.hpp"
#include "support/process.hpp"
#include "support/slapd.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

namespace vmaildir::test {

/// vmaildir-exim serving a configuration on DIR/exim.sock (readsocket) and
/// DIR/exim-auth.sock (the Dovecot authentication protocol).
class LookupDaemon {
public:
    /// `options` go on its command line too.
    LookupDaemon(const std::string& dir, const std::string& config_path,
                 const std::vector<std::string>& options = {})
        : socket_(dir + "/exim.sock"), auth_socket_(dir + "/exim-auth.sock"),
          process_(command(config_path, options), dir + "/vmaildir-exim.log") {
        if (!wait_for([&] { return unix_open(socket_) && unix_open(auth_socket_); },
                      std::chrono::seconds(10)))
            throw std::runtime_error("vmaildir-exim did not start; see " + dir +
                                     "/vmaildir-exim.log");
    }
    const std::string& socket() const { return socket_; }
    const std::string& auth_socket() const { return auth_socket_; }
    Process& process() { return process_; }

private:
    std::vector<std::string> command(const std::string& config_path,
                                     const std::vector<std::string>& options) const {
        std::vector<std::string> argv = {
            VMAILDIR_EXIM_DAEMON, "-c", config_path, "--log", "stderr", "-v", "-l",
            "readsocket:unix:" + socket_, "-l", "dovecot-auth:unix:" + auth_socket_,
            "--socket-mode", "0666", "--allow-world-writable", "--user", "nobody"};
        argv.insert(argv.end(), options.begin(), options.end());
        return argv;
    }

    std::string socket_;
    std::string auth_socket_;
    Process process_;
};

class EximInstance {
public:
    /// Writes DIR/etc/exim4.conf — `macros` (NAME = value lines) and then
    /// examples/exim/exim4.conf unchanged — and starts the daemon on a free port.
    /// `daemon_flags` are added to `exim4 -bdf` (e.g. "-odq": queue only).
    EximInstance(const std::string& dir, std::map<std::string, std::string> macros,
                 const std::vector<std::string>& daemon_flags = {})
        : dir_(dir), port_(free_port()) {
        namespace fs = std::filesystem;
        for (const char* sub : {"/etc", "/spool", "/log", "/vmail"})
            fs::create_directories(dir_ + sub);
        run("chown Debian-exim:Debian-exim " + shell_quote(dir_ + "/spool") + " " +
            shell_quote(dir_ + "/log") + " && chown 5000:5000 " + shell_quote(dir_ + "/vmail"));
        macros["EXIM_PATH"] = binary();
        macros["SPOOL_DIRECTORY"] = dir_ + "/spool";
        macros["LOG_FILE_PATH"] = dir_ + "/log/%slog";
        macros["PID_FILE_PATH"] = dir_ + "/log/exim.pid";
        macros["DAEMON_SMTP_PORTS"] = std::to_string(port_);
        macros["LOCAL_INTERFACES"] = "127.0.0.1";
        macros["VMAIL_BASE"] = dir_ + "/vmail";
        macros["DISCARD_REMOTE"] = "yes";
        std::ofstream conf(dir_ + "/etc/exim4.conf");
        conf
            << "# written by tests/support/exim.hpp: these macros, then examples/exim/exim4.conf\n";
        for (const auto& [name, value] : macros)
            conf << name << " = " << value << "\n";
        conf << read_file(std::string(VMAILDIR_SOURCE_DIR) + "/examples/exim/exim4.conf");
        conf.close();
        std::vector<std::string> argv = {namespace_script(), dir_ + "/etc", binary(), "-bdf"};
        argv.insert(argv.end(), daemon_flags.begin(), daemon_flags.end());
        process_.emplace(argv, dir_ + "/exim-daemon.log");
        if (!wait_for([&] { return tcp_open(port_); }, std::chrono::seconds(10)))
            throw std::runtime_error("exim did not start; see " + dir_ + "/exim-daemon.log and " +
                                     dir_ + "/log/paniclog");
    }
    EximInstance(const EximInstance&) = delete;
    EximInstance& operator=(const EximInstance&) = delete;

    int port() const { return port_; }
    const std::string& dir() const { return dir_; }
    Maildirs maildirs() const { return Maildirs(dir_ + "/vmail"); }
    Swaks swaks(const std::string& args) const {
        return test::swaks(port_, args, dir_ + "/swaks.out");
    }
    /// Runs `exim4 ARGS` inside the daemon's namespace (so with its configuration): the
    /// exit status; its output goes to DIR/exim-command.out.
    int exim(const std::string& args) const {
        return status_of("nsenter --target " + std::to_string(process_->pid()) + " --mount -- " +
                             shell_quote(binary()) + " " + args + " > " +
                             shell_quote(dir_ + "/exim-command.out") + " 2>&1",
                         true);
    }
    std::string last_output() const { return read_file(dir_ + "/exim-command.out"); }
    /// A forced queue run (-qff: frozen messages and retry times too), waited for.
    void queue_run() const { exim("-qff"); }
    /// Messages in the queue (their -H files).
    std::size_t queued() const {
        std::size_t n = 0;
        std::string input = dir_ + "/spool/input";
        if (std::filesystem::exists(input))
            for (const auto& e : std::filesystem::recursive_directory_iterator(input))
                n += e.path().string().size() > 2 &&
                     e.path().string().compare(e.path().string().size() - 2, 2, "-H") == 0;
        return n;
    }
    std::string mainlog() const { return read_file(dir_ + "/log/mainlog"); }
    std::string paniclog() const { return read_file(dir_ + "/log/paniclog"); }
    Process& process() { return *process_; }

    static std::string binary() { return VMAILDIR_EXIM_BINARY; }

private:
    static std::string namespace_script() {
        return std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/exim-namespace";
    }

    std::string dir_;
    int port_;
    std::optional<Process> process_;
};

} // namespace vmaildir::test
