// A real slapd for integration tests, run by tests/integration/slapd-harness
// under the build tree on a free 127.0.0.1 port, stopped by PID when the
// fixture goes away.
#pragma once

#include <dirent.h>
#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

namespace vmaildir::test {

/// Runs a shell command, returning its stdout; throws when it exits non-zero.
inline std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe)
        throw std::runtime_error("cannot run: " + command);
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0)
        out.append(buf.data(), n);
    int status = pclose(pipe);
    if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("command failed (" + std::to_string(status) + "): " + command +
                                 "\n" + out);
    return out;
}

/// The exit status of a shell command; its output is discarded unless `keep_output` (the
/// command then redirects it itself).
inline int status_of(const std::string& command, bool keep_output = false) {
    int status = std::system((keep_output ? command : command + " >/dev/null 2>&1").c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

inline std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
        s.pop_back();
    return s;
}

class Slapd {
public:
    /// Starts slapd for `preset` with its example LDIF in WORK_DIR/name; `acl_file` replaces the
    /// harness's access rules; `options` are more of the harness's (--syncprov).
    Slapd(const std::string& name, const std::string& preset, bool tls = false,
          const std::string& acl_file = "", const std::string& options = "")
        : dir_(std::string(VMAILDIR_TEST_WORK_DIR) + "/" + name) { // one per name: the last run stays for debugging
        std::string harness = std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/slapd-harness";
        harness_ = shell_quote(harness);
        status_of(harness_ + " clean " + shell_quote(dir_)); // leftovers of an earlier run
        port_ = std::stoi(run(harness_, "start", true,
                              " " + preset + (tls ? " --tls" : "") +
                                  (acl_file.empty() ? "" : " --acl=" + shell_quote(acl_file)) +
                                  (options.empty() ? "" : " " + options)));
    }
    ~Slapd() {
        try {
            run(harness_, "stop", false);
        } catch (...) {
        }
    }
    Slapd(const Slapd&) = delete;
    Slapd& operator=(const Slapd&) = delete;

    int port() const { return port_; }
    const std::string& dir() const { return dir_; }
    std::string uri() const { return "ldap://127.0.0.1:" + std::to_string(port_) + "/"; }
    std::string ldaps_uri() const { return "ldaps://127.0.0.1:" + read_file(dir_ + "/ldaps_port") + "/"; }
    std::string ldapi_uri() const { return read_file(dir_ + "/ldapi"); }
    std::string ca_file() const { return dir_ + "/tls/ca.pem"; }
    pid_t pid() const { return static_cast<pid_t>(std::stol(read_file(dir_ + "/pid"))); }

    void stop() { run(harness_, "stop", false); }
    void restart() { run(harness_, "restart", false); }
    /// SIGSTOP / SIGCONT: a hung server that still accepts TCP connections.  freeze() returns
    /// once every thread of slapd has stopped: kill() only queues the signal, and a request
    /// sent at once could still be answered by a thread running on another CPU.
    void freeze() {
        pid_t p = pid();
        ::kill(p, SIGSTOP);
        std::string tasks = "/proc/" + std::to_string(p) + "/task";
        for (int i = 0; i < 500 && !all_stopped(tasks); ++i)
            ::usleep(2000);
    }
    void thaw() { ::kill(pid(), SIGCONT); }

    /// Applies LDIF change records as the rootdn.
    void modify(const std::string& ldif) {
        std::string file = dir_ + "/change.ldif";
        std::ofstream(file) << ldif;
        vmaildir::test::run("ldapmodify -x -H " + uri() +
                            " -D cn=Manager,dc=example,dc=com -w secret -f " + shell_quote(file));
    }

private:
    /// Whether every thread under /proc/PID/task is in state T (stopped).
    static bool all_stopped(const std::string& tasks) {
        DIR* dir = opendir(tasks.c_str());
        if (!dir)
            return true; // gone: nothing left to answer
        bool stopped = true;
        while (dirent* e = readdir(dir)) {
            if (e->d_name[0] == '.')
                continue;
            std::string stat = read_file(tasks + "/" + e->d_name + "/stat");
            auto paren = stat.rfind(')'); // the command name may contain spaces
            stopped = stopped && paren != std::string::npos && paren + 2 < stat.size() &&
                      (stat[paren + 2] == 'T' || stat[paren + 2] == 't');
        }
        closedir(dir);
        return stopped;
    }

    std::string run(const std::string& harness, const char* verb, bool capture,
                    const std::string& extra = "") {
        std::string cmd = harness + " " + verb + " " + shell_quote(dir_) + extra;
        return capture ? vmaildir::test::run(cmd + " 2>" + shell_quote(dir_ + ".harness.log"))
                       : vmaildir::test::run(cmd + " >/dev/null 2>&1");
    }

    std::string dir_;
    std::string harness_;
    int port_ = 0;
};

/// Writes a password file as docs/decisions.md says to keep one: mode 0640, owner root, group
/// nogroup (that of `nobody`, the user the test daemons drop to, who rereads it on SIGHUP).
inline void write_secret_file(const std::string& path, const std::string& secret) {
    std::ofstream(path) << secret << "\n";
    if (chmod(path.c_str(), 0640) != 0)
        throw std::runtime_error("chmod " + path);
    if (getuid() == 0) {
        struct group* g = getgrnam("nogroup");
        if (!g || chown(path.c_str(), 0, g->gr_gid) != 0)
            throw std::runtime_error("chown root:nogroup " + path);
    }
}

/// Writes DIR/vmaildir.conf (and DIR/bind.pw) for the example Jamm directory on `slapd`, as
/// the MTA tests' daemons read it: short timeouts, logging to stderr, then `extra` lines
/// (default: no cache, so every answer comes from slapd).  Returns its path.
inline std::string write_jamm_config(const Slapd& slapd,
                                     const std::string& extra = "cache_size = 0\n") {
    const std::string dir = slapd.dir();
    write_secret_file(dir + "/bind.pw", "vmaildir-secret");
    std::ofstream(dir + "/vmaildir.conf")
        << "server_host = " << slapd.uri() << "\n"
        << "search_base = o=hosting,dc=example,dc=com\nschema = jamm\n"
        << "bind_dn = cn=vmaildir,dc=example,dc=com\nbind_pw_file = bind.pw\n"
        << "timeout = 2s\nconnect_timeout = 1s\nlog = stderr\n"
        << extra;
    return dir + "/vmaildir.conf";
}

} // namespace vmaildir::test
