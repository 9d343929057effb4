// A private Postfix instance (own configuration, queue and Maildir base under
// the build tree, SMTP on a free 127.0.0.1 port) wired to a vmaildir-postfix
// daemon, and the clients that drive it (swaks, postmap, postqueue).
#pragma once

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>

#include "support/process.hpp"
#include "support/slapd.hpp"

namespace vmaildir::test {

namespace fs = std::filesystem;

/// vmaildir-postfix serving a configuration on a unix socket and a loopback tcp_table port.
class TableDaemon {
public:
    TableDaemon(const std::string& dir, const std::string& config_path)
        : socket_(dir + "/vmaildir.sock"), tcp_port_(free_port()),
          process_({VMAILDIR_POSTFIX_DAEMON, "-c", config_path, "--log", "stderr", "-v",
                    "-l", "socketmap:unix:" + socket_,
                    "-l", "tcp:inet:127.0.0.1:" + std::to_string(tcp_port_) + ":alias",
                    "--user", "nobody"},
                   dir + "/vmaildir-postfix.log") {
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
    std::string socket_;
    int tcp_port_;
    Process process_;
};

struct Swaks {
    int status = -1;
    std::string output;
    /// Whether the transcript has a server reply line starting with `code` (e.g. "550 5.1.1").
    bool replied(const std::string& code) const {
        return output.find("<** " + code) != std::string::npos ||
               output.find("<-  " + code) != std::string::npos;
    }
};

class PostfixInstance {
public:
    /// `virtual_options` go on the virtual service in master.cf (`-o name=value` each).
    PostfixInstance(const std::string& dir, const std::map<std::string, std::string>& main_cf,
                    const std::map<std::string, std::string>& virtual_options = {})
        : dir_(dir), port_(free_port()) {
        for (const char* sub : {"etc", "queue", "data", "vmail"})
            fs::create_directories(dir_ + "/" + sub);
        run("chown postfix " + shell_quote(dir_ + "/data"));
        run("chown 5000:5000 " + shell_quote(dir_ + "/vmail"));
        std::map<std::string, std::string> conf{
            {"compatibility_level", "3.6"},
            {"queue_directory", dir_ + "/queue"},
            {"data_directory", dir_ + "/data"},
            {"meta_directory", "/etc/postfix"},
            {"mail_owner", "postfix"},
            {"setgid_group", "postdrop"},
            {"myhostname", "mx.vmaildir.test"},
            {"mydomain", "vmaildir.test"},
            {"mydestination", ""},
            {"inet_interfaces", "127.0.0.1"},
            {"inet_protocols", "ipv4"},
            {"maillog_file", dir_ + "/maillog"},
            {"maillog_file_prefixes", dir_},
            {"mynetworks", "127.0.0.0/8"},
            {"smtpd_relay_restrictions", "permit_mynetworks, reject_unauth_destination"},
            {"smtpd_recipient_restrictions", "reject_unlisted_recipient"},
            {"virtual_mailbox_base", dir_ + "/vmail"},
            {"virtual_minimum_uid", "100"},
            {"virtual_uid_maps", "static:5000"},
            {"virtual_gid_maps", "static:5000"},
            {"recipient_delimiter", "+"},
            {"biff", "no"},
            {"delay_warning_time", "0"},
            // Forwards and bounces leave the host through discard: the log says where.
            {"default_transport", "discard:left the host"},
            {"relay_transport", "discard:left the host"},
            {"queue_run_delay", "1s"},
            {"minimal_backoff_time", "1s"},
            {"maximal_backoff_time", "2s"},
        };
        for (const auto& [k, v] : main_cf)
            conf[k] = v;
        std::ofstream main(dir_ + "/etc/main.cf");
        for (const auto& [k, v] : conf)
            main << k << " = " << v << "\n";
        main.close();
        std::string virtual_line = "virtual   unix  -       n       n       -       -       virtual";
        for (const auto& [k, v] : virtual_options)
            virtual_line += "\n  -o " + k + "=" + v;
        std::ofstream master(dir_ + "/etc/master.cf");
        master << "127.0.0.1:" << port_ << " inet n - n - - smtpd\n" << master_services
               << virtual_line << "\n";
        master.close();
        run(postfix("start"));
        if (!wait_for([&] { return tcp_open(port_); }, std::chrono::seconds(20)))
            throw std::runtime_error("postfix did not start; see " + dir_ + "/maillog");
    }
    ~PostfixInstance() {
        try {
            std::string pid = read_file(dir_ + "/queue/pid/master.pid");
            status_of(postfix("stop"));
            // Postfix's own stop signals the master by its PID file; make sure it is gone.
            if (!pid.empty())
                wait_for([&] { return ::kill(std::stoi(pid), 0) != 0 || zombie(pid); },
                         std::chrono::seconds(10));
        } catch (...) {
        }
    }
    PostfixInstance(const PostfixInstance&) = delete;
    PostfixInstance& operator=(const PostfixInstance&) = delete;

    int port() const { return port_; }
    const std::string& dir() const { return dir_; }
    std::string config_dir() const { return dir_ + "/etc"; }
    std::string maildir(const std::string& relative) const { return dir_ + "/vmail/" + relative; }

    /// swaks against this instance; `args` are appended (already shell-quoted where needed).
    Swaks swaks(const std::string& args) const {
        Swaks s;
        std::string out = dir_ + "/swaks.out";
        s.status = status_of("swaks --server 127.0.0.1:" + std::to_string(port_) +
                             " --timeout 30 " + args + " > " +
                             shell_quote(out) + " 2>&1",
                             true);
        s.output = read_file(out);
        return s;
    }
    /// postmap -q KEY TABLE with this instance's configuration: {exit status, value}.
    /// Its warnings are in last_postmap_errors().
    std::pair<int, std::string> postmap(const std::string& key, const std::string& table) const {
        std::string out = dir_ + "/postmap.out", err = dir_ + "/postmap.err";
        int rc = status_of("postmap -c " + shell_quote(config_dir()) + " -q " + shell_quote(key) +
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
    std::size_t messages(const std::string& maildir_relative) const {
        std::size_t n = 0;
        for (const char* sub : {"/new", "/cur"}) {
            std::string d = maildir(maildir_relative) + sub;
            if (fs::exists(d))
                for (const auto& e : fs::directory_iterator(d))
                    n += e.is_regular_file();
        }
        return n;
    }
    /// Whether any message in a Maildir contains `text`.
    bool maildir_contains(const std::string& maildir_relative, const std::string& text) const {
        for (const char* sub : {"/new", "/cur"}) {
            std::string d = maildir(maildir_relative) + sub;
            if (fs::exists(d))
                for (const auto& e : fs::directory_iterator(d))
                    if (read_file(e.path().string()).find(text) != std::string::npos)
                        return true;
        }
        return false;
    }

private:
    std::string postfix(const std::string& verb) const {
        return "postfix -c " + shell_quote(config_dir()) + " " + verb + " >/dev/null 2>&1";
    }
    static bool zombie(const std::string& pid) {
        std::string stat = read_file("/proc/" + pid + "/stat");
        auto close = stat.rfind(')');
        return close != std::string::npos && close + 2 < stat.size() && stat[close + 2] == 'Z';
    }

    static constexpr const char* master_services = R"(pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
)";

    std::string dir_;
    int port_;
};

} // namespace vmaildir::test
