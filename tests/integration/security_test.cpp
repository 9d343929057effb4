// Security checks as tests (issue #13), against the real programs started as root:
//   - every daemon that drops root (vmaildir-postfix, -exim, -milter, -replica) runs, once it
//     serves, with all four uids and gids and the supplementary groups of its user and no
//     capability, in every thread (/proc/PID/task/*/status); a user that does not exist stops
//     it with exit status 71 and a message naming the user;
//   - the unix sockets they create have the owner, group and mode their --help documents, by
//     default and with --socket-mode; a stale socket is replaced, a file that is no socket is
//     kept, and no socket is world-writable without --allow-world-writable;
//   - vmaildir-postfix verifies the LDAP server's certificate by default: StartTLS (and
//     ldaps) with tls_ca_file another CA answers "try later" to postmap and to raw socketmap
//     requests, never "not found", and every such line of its log says that the certificate
//     did not verify;
//   - no fixture password or bind secret in any server-side log of the whole integration
//     suite under the work directory.  ctest starts this test once all the others have ended
//     (DEPENDS, tests/CMakeLists.txt) and this case is the last here (doctest runs the cases
//     in file order), so it also reads the logs of the daemons started above.
// Every check is about behaviour, never about timings: waits are bounded polls.
#include "protocol.hpp"
#include "support/postfix.hpp"
#include "support/process.hpp"
#include "support/slapd.hpp"
#include "vmaildir/auth/password_scheme.hpp"
#include "vmaildir/util/base64.hpp"

#include <algorithm>
#include <charconv>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <grp.h>
#include <map>
#include <optional>
#include <poll.h>
#include <pwd.h>
#include <regex>
#include <set>
#include <sstream>
#include <sys/stat.h>

using namespace vmaildir::test;
namespace fs = std::filesystem;

namespace {

const std::string work_dir = VMAILDIR_TEST_WORK_DIR;
/// Every directory this test makes under the work directory starts so; the log check tells
/// the other tests' logs from these by it.
const std::string own_prefix = "security-";
/// A user that no test machine has.
const std::string missing_user = "vmaildir-no-such-user";

/// Every entry under `root` that `keep` accepts, not descending into directories `prune`
/// accepts.  Errors (an entry another test removes meanwhile, a directory not readable) skip
/// that entry instead of ending the walk.
template <class Prune, class Keep>
std::vector<fs::path> walk(const std::string& root, Prune prune, Keep keep) {
    std::vector<fs::path> out;
    std::error_code ec;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        std::error_code entry_ec;
        if (it->is_directory(entry_ec) && prune(it->path())) {
            it.disable_recursion_pending();
            continue;
        }
        if (it->is_regular_file(entry_ec) && keep(it->path()))
            out.push_back(it->path());
    }
    return out;
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

/// The command line as one shell word list.
std::string shell_command(const std::vector<std::string>& argv) {
    std::string out;
    for (const std::string& a : argv)
        out += (out.empty() ? "" : " ") + shell_quote(a);
    return out;
}

/// Runs a program that is expected to exit on its own (a refusal): its exit status, its
/// output in `output_file`.  `timeout` stops it if it serves instead, so that a daemon that
/// wrongly starts fails the test with status 137 rather than hanging it.
int run_to_exit(const std::vector<std::string>& argv, const std::string& output_file) {
    return status_of("timeout -s KILL 30 " + shell_command(argv) + " > " +
                         shell_quote(output_file) + " 2>&1",
                     true);
}

/// What arrives on a new connection to the unix socket `path` after sending `request`, until
/// `complete` says the reply is whole, the server closes, or 5 s pass.
template <class Complete>
std::string unix_exchange(const std::string& path, const std::string& request, Complete complete) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    std::string reply;
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        send(fd, request.data(), request.size(), MSG_NOSIGNAL) ==
            static_cast<ssize_t>(request.size())) {
        auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!complete(reply) && std::chrono::steady_clock::now() < until) {
            pollfd p{fd, POLLIN, 0};
            if (poll(&p, 1, 100) <= 0)
                continue;
            char buf[4096];
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0)
                break;
            reply.append(buf, static_cast<std::size_t>(n));
        }
    }
    close(fd);
    return reply;
}

/// A socketmap request on a new connection: the reply's payload ("" when none came whole).
std::string socketmap(const std::string& path, const std::string& request) {
    std::string reply =
        unix_exchange(path, vmaildir::postfix::netstring(request), [](const std::string& r) {
            auto colon = r.find(':');
            std::size_t length = 0;
            auto [end, ec] =
                std::from_chars(r.data(), r.data() + std::min(colon, r.size()), length);
            return colon != std::string::npos && ec == std::errc() && end == r.data() + colon &&
                   r.size() >= colon + 2 + length;
        });
    auto colon = reply.find(':');
    if (colon == std::string::npos || reply.empty() || reply.back() != ',')
        return "";
    return reply.substr(colon + 1, reply.size() - colon - 2);
}

/// A ${readsocket} request (vmaildir-exim closes after its one reply).
std::string readsocket(const std::string& path, const std::string& request) {
    return unix_exchange(path, request + "\n", [](const std::string&) { return false; });
}

// ---------------------------------------------------------------------------------------
// The daemons, as these tests start them.

enum class Kind { postfix, exim, milter, replica };

struct DaemonKind {
    Kind kind;
    std::string name;   ///< program name, and the stem of its log file
    std::string binary; ///< path
};

const std::vector<DaemonKind> daemons = {
    {Kind::postfix, "vmaildir-postfix", VMAILDIR_POSTFIX_DAEMON},
    {Kind::exim, "vmaildir-exim", VMAILDIR_EXIM_DAEMON},
    {Kind::milter, "vmaildir-milter", VMAILDIR_MILTER_DAEMON},
    {Kind::replica, "vmaildir-replica", VMAILDIR_REPLICA_DAEMON},
};

/// `program --help`.
std::string help_of(const DaemonKind& d) {
    return run(shell_quote(d.binary) + " --help 2>&1");
}

/// The default that --help shows for an option: "-u [ --user ] arg (=nobody)" → "nobody";
/// nothing when the help names none.
std::optional<std::string> help_default(const std::string& help, const std::string& option) {
    std::smatch m;
    if (std::regex_search(help, m, std::regex("--" + option + R"((?: \])? arg \(=([^)]*)\))")))
        return m[1].str();
    return std::nullopt;
}

/// The unix sockets `d` creates in `dir` with the listeners these tests give it.
std::vector<std::string> unix_sockets(const DaemonKind& d, const std::string& dir) {
    switch (d.kind) {
    case Kind::postfix:
        return {dir + "/postfix.sock", dir + "/postfix-auth.sock"};
    case Kind::exim:
        return {dir + "/exim.sock", dir + "/exim-auth.sock"};
    case Kind::milter:
        return {dir + "/milter.sock"};
    case Kind::replica:
        return {};
    }
    return {};
}

/// The command line of `d` serving the configuration in `dir` (vmaildir.conf, or for the
/// replica replica.conf) on its sockets there, logging to stderr, with `options` appended.
std::vector<std::string> command(const DaemonKind& d, const std::string& dir,
                                 const std::vector<std::string>& options) {
    std::vector<std::string> sockets = unix_sockets(d, dir);
    std::vector<std::string> argv = {d.binary, "-c",     dir + "/vmaildir.conf",
                                     "--log",  "stderr", "-v"};
    switch (d.kind) {
    case Kind::postfix:
        argv.insert(argv.end(), {"-l", "socketmap:unix:" + sockets[0], "-l",
                                 "dovecot-auth:unix:" + sockets[1]});
        break;
    case Kind::exim:
        argv.insert(argv.end(), {"-l", "readsocket:unix:" + sockets[0], "-l",
                                 "dovecot-auth:unix:" + sockets[1]});
        break;
    case Kind::milter:
        argv.insert(argv.end(), {"--listen", "unix:" + sockets[0]});
        break;
    case Kind::replica:
        argv[2] = dir + "/replica.conf";
        break;
    }
    argv.insert(argv.end(), options.begin(), options.end());
    return argv;
}

/// A daemon started as root, stopped by PID (SIGTERM) when it goes away.  serving() says
/// whether it answered: a lookup for the Postfix and Exim servers, the milter's "serving"
/// line, the replica's first complete refresh.  Each logs "serving" (the replica "keeping")
/// only after dropping root, so a daemon that serves has dropped it.
class Running {
public:
    Running(const DaemonKind& d, const std::string& dir, const std::vector<std::string>& options)
        : kind_(d), dir_(dir), log_path_(dir + "/" + d.name + ".log") {
        fs::remove(log_path_);
        process_.emplace(command(d, dir, options), log_path_);
        serving_ = wait_for([&] { return answers(); }, std::chrono::seconds(20));
    }
    bool serving() const { return serving_; }
    pid_t pid() const { return process_->pid(); }
    std::string log() const { return read_file(log_path_); }
    const std::string& log_path() const { return log_path_; }

private:
    bool answers() const {
        const std::string l = log();
        switch (kind_.kind) {
        case Kind::postfix:
            return contains(l, "info: serving ") &&
                   socketmap(unix_sockets(kind_, dir_)[0], "domain example.org").rfind("OK ", 0) ==
                       0;
        case Kind::exim: {
            if (!contains(l, "info: serving "))
                return false;
            std::string reply = readsocket(unix_sockets(kind_, dir_)[0], "domain example.org");
            return !reply.empty() && reply.rfind(":defer:", 0) != 0;
        }
        case Kind::milter:
            return contains(l, "info: serving ") && unix_open(unix_sockets(kind_, dir_)[0]);
        case Kind::replica:
            return contains(l, "info: keeping ") && contains(l, "complete in ");
        }
        return false;
    }

    DaemonKind kind_;
    std::string dir_;
    std::string log_path_;
    std::optional<Process> process_;
    bool serving_ = false;
};

/// slapd (a content-sync provider, for the replica) with the example Jamm directory, and in
/// its directory vmaildir.conf (no cache) and replica.conf (the same plus `replica`).
struct Directory {
    explicit Directory(const std::string& name)
        : slapd(own_prefix + name, "jamm", false, "", "--syncprov") {
        std::string conf = write_jamm_config(slapd);
        std::ofstream(slapd.dir() + "/replica.conf")
            << read_file(conf) << "\nreplica = replica-store\n";
    }
    const std::string& dir() const { return slapd.dir(); }
    Slapd slapd;
};

// ---------------------------------------------------------------------------------------
// /proc/PID/status

/// The credentials of one task as the kernel reports them.
struct Credentials {
    std::vector<long> uids, gids; ///< real, effective, saved set, filesystem
    std::set<long> groups;        ///< supplementary
    unsigned long long cap_eff = ~0ULL, cap_prm = ~0ULL;
};

Credentials credentials(const std::string& status_file) {
    Credentials c;
    std::istringstream in(read_file(status_file));
    std::string line;
    while (std::getline(in, line)) {
        auto colon = line.find(':');
        if (colon == std::string::npos)
            continue;
        std::string name = line.substr(0, colon);
        std::istringstream values(line.substr(colon + 1));
        if (name == "Uid" || name == "Gid" || name == "Groups") {
            std::vector<long> numbers;
            for (long n = 0; values >> n;)
                numbers.push_back(n);
            if (name == "Uid")
                c.uids = numbers;
            else if (name == "Gid")
                c.gids = numbers;
            else
                c.groups.insert(numbers.begin(), numbers.end());
        } else if (name == "CapEff" || name == "CapPrm") {
            std::string hex;
            values >> hex;
            (name == "CapEff" ? c.cap_eff : c.cap_prm) = std::stoull(hex, nullptr, 16);
        }
    }
    return c;
}

/// The groups `user` is in, its primary group included (what initgroups() gives it).
std::set<long> groups_of(const passwd& pw) {
    int n = 64;
    std::vector<gid_t> list(static_cast<std::size_t>(n));
    while (getgrouplist(pw.pw_name, pw.pw_gid, list.data(), &n) < 0)
        list.resize(static_cast<std::size_t>(n));
    return std::set<long>(list.begin(), list.begin() + n);
}

/// Checks that every task of `pid` runs as `user` and nothing else, with no capability.
void check_runs_as(pid_t pid, const std::string& user) {
    const passwd* pw = getpwnam(user.c_str());
    REQUIRE_MESSAGE(pw, "no user " << user);
    const std::vector<long> uid(4, static_cast<long>(pw->pw_uid));
    const std::vector<long> gid(4, static_cast<long>(pw->pw_gid));
    const std::set<long> groups = groups_of(*pw);
    const std::string proc = "/proc/" + std::to_string(pid);
    std::vector<std::string> status_files = {proc + "/status"};
    for (const auto& task : fs::directory_iterator(proc + "/task"))
        status_files.push_back(task.path().string() + "/status");
    CHECK(status_files.size() >= 2); // the process and at least its main thread
    for (const std::string& file : status_files) {
        CAPTURE(file);
        // A connection's thread may end between the listing and the reading (the daemon
        // was just asked something); the process's own file is always there.
        if (file != status_files.front() && !fs::exists(file))
            continue;
        Credentials c = credentials(file);
        if (file != status_files.front() && c.uids.empty() && !fs::exists(file))
            continue;
        CHECK(c.uids == uid);
        CHECK(c.gids == gid);
        CHECK(c.groups == groups);
        CHECK(c.groups.count(0) == 0);
        CHECK(c.cap_eff == 0);
        CHECK(c.cap_prm == 0);
    }
}

} // namespace

// ---------------------------------------------------------------------------------------

TEST_CASE("security: every daemon started as root runs as its --user, in every thread") {
    REQUIRE_MESSAGE(geteuid() == 0, "the security test starts the daemons as root to see them "
                                    "drop it: run it as root");
    Directory directory("privileges");
    for (const DaemonKind& d : daemons) {
        CAPTURE(d.name);
        const std::string help = help_of(d);
        const std::optional<std::string> user = help_default(help, "user");
        REQUIRE_MESSAGE(user, d.name << " --help names no default --user");
        // The daemon's own default where this machine has that user (vmaildir-replica's
        // `vmaildir` is made by the package, not here), else nobody, as the other tests use.
        std::vector<std::string> options;
        std::string expected = *user;
        if (!getpwnam(user->c_str())) {
            expected = "nobody";
            options = {"--user", expected};
        }
        if (d.kind == Kind::replica)
            options.insert(options.end(), {"--group", "nogroup"}); // `vmaildir` as for --user
        Running daemon(d, directory.dir(), options);
        REQUIRE_MESSAGE(daemon.serving(), d.name << " did not serve; see " << daemon.log_path());
        check_runs_as(daemon.pid(), expected);
    }
}

TEST_CASE("security: a --user that does not exist stops every daemon with 71, says so, and "
          "leaves no socket") {
    REQUIRE(getpwnam(missing_user.c_str()) == nullptr);
    Directory directory("no-such-user");
    for (const DaemonKind& d : daemons) {
        CAPTURE(d.name);
        // --help documents 71 for "root could not be dropped" (the replica: "privileges").
        CHECK(contains(help_of(d), "71 "));
        std::vector<std::string> options = {"--user", missing_user};
        if (d.kind == Kind::replica)
            options.insert(options.end(), {"--group", "nogroup"});
        const std::string out = directory.dir() + "/" + d.name + "-no-such-user.out";
        CHECK(run_to_exit(command(d, directory.dir(), options), out) == 71);
        const std::string said = read_file(out);
        CAPTURE(said);
        CHECK(contains(said, missing_user));
        CHECK(contains(said, "no such user"));
        CHECK_FALSE(contains(said, "info: serving"));
        for (const std::string& socket : unix_sockets(d, directory.dir())) {
            CAPTURE(socket);
            CHECK_FALSE(fs::exists(fs::symlink_status(socket))); // it never listened
        }
    }
}

TEST_CASE("security: unix sockets get the documented owner, group and mode") {
    REQUIRE(geteuid() == 0);
    Directory directory("sockets");
    const std::string dir = directory.dir();
    for (const DaemonKind& d : daemons) {
        if (unix_sockets(d, dir).empty())
            continue; // vmaildir-replica listens on nothing
        CAPTURE(d.name);
        const std::string help = help_of(d);
        const auto default_mode = help_default(help, "socket-mode");
        const auto group_name = help_default(help, "socket-group");
        REQUIRE(default_mode);
        REQUIRE(group_name);
        CHECK(*default_mode == "0660"); // docs/decisions.md, "Socket permissions"
        const group* g = getgrnam(group_name->c_str());
        REQUIRE_MESSAGE(g, "no group " << *group_name << " on this machine");
        const gid_t socket_gid = g->gr_gid;

        struct Row {
            std::string name;
            std::vector<std::string> options;
            mode_t mode;
            bool stale; ///< a socket of an earlier run (mode 0777, nobody's) is in the way
        };
        const std::vector<Row> rows = {
            {"default", {}, 0660, false},
            {"--socket-mode 0660 over stale sockets", {"--socket-mode", "0660"}, 0660, true},
            {"--socket-mode 0600", {"--socket-mode", "0600"}, 0600, false},
            {"--socket-mode 0666 --allow-world-writable",
             {"--socket-mode", "0666", "--allow-world-writable"},
             0666,
             false},
        };
        for (const Row& row : rows) {
            CAPTURE(row.name);
            for (const std::string& path : unix_sockets(d, dir)) {
                fs::remove(path);
                if (!row.stale)
                    continue;
                int fd = socket(AF_UNIX, SOCK_STREAM, 0);
                sockaddr_un a{};
                a.sun_family = AF_UNIX;
                std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
                REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
                close(fd); // nobody listens on it any more
                REQUIRE(chmod(path.c_str(), 0777) == 0);
                REQUIRE(chown(path.c_str(), getpwnam("nobody")->pw_uid,
                              getgrnam("nogroup")->gr_gid) == 0);
                REQUIRE_FALSE(unix_open(path));
            }
            Running daemon(d, dir, row.options);
            REQUIRE_MESSAGE(daemon.serving(),
                            d.name << " did not serve; see " << daemon.log_path());
            for (const std::string& path : unix_sockets(d, dir)) {
                CAPTURE(path);
                struct stat st {};
                REQUIRE(lstat(path.c_str(), &st) == 0);
                CHECK(S_ISSOCK(st.st_mode));
                CHECK((st.st_mode & 07777) == row.mode);
                CHECK(st.st_uid == 0); // made by root before it dropped to --user
                CHECK(st.st_gid == socket_gid);
                CHECK(unix_open(path)); // the daemon's own socket, not the stale one
            }
        }

        // A mode that lets every local user write is refused without --allow-world-writable:
        // a usage error, and no socket is made.
        for (const std::string mode : {"0666", "0662", "0777"}) {
            CAPTURE(mode);
            for (const std::string& path : unix_sockets(d, dir))
                fs::remove(path);
            const std::string out = dir + "/" + d.name + "-world-writable.out";
            CHECK(run_to_exit(command(d, dir, {"--socket-mode", mode}), out) == 64);
            CHECK(contains(read_file(out), "--allow-world-writable"));
            for (const std::string& path : unix_sockets(d, dir))
                CHECK_FALSE(fs::exists(fs::symlink_status(path)));
        }

        // A file that is not a socket is never removed to make room for one.
        for (const std::string& path : unix_sockets(d, dir))
            fs::remove(path);
        const std::string first = unix_sockets(d, dir).front();
        std::ofstream(first) << "not a socket\n";
        const std::string out = dir + "/" + d.name + "-not-a-socket.out";
        CHECK(run_to_exit(command(d, dir, {}), out) == 71);
        CHECK(read_file(first) == "not a socket");
        fs::remove(first);
    }
}

TEST_CASE("security: vmaildir-postfix verifies the LDAP server's certificate by default") {
    Slapd slapd(own_prefix + "tls", "jamm", true);
    const std::string dir = slapd.dir();
    // Another CA with the very name of the harness's, so that only the signature tells them
    // apart.
    const std::string subject =
        run("openssl x509 -noout -subject -nameopt compat -in " + shell_quote(slapd.ca_file()));
    REQUIRE(subject.rfind("subject=", 0) == 0);
    const std::string name = subject.substr(8, subject.find_last_not_of("\n") - 7);
    run("openssl req -x509 -newkey rsa:2048 -nodes -keyout /dev/null -days 1 -subj " +
        shell_quote(name) + " -out " + shell_quote(dir + "/other-ca.pem") + " 2>/dev/null");
    fs::create_directories(dir + "/postmap-etc");
    std::ofstream(dir + "/postmap-etc/main.cf") << "";

    struct Row {
        std::string name;
        std::string settings; ///< how the connection is made
        std::string ca_file;
        bool trusted;
    };
    const std::string start_tls = "server_host = " + slapd.uri() + "\nstart_tls = yes\n";
    const std::string ldaps = "server_host = " + slapd.ldaps_uri() + "\n";
    const std::string other_ca = dir + "/other-ca.pem";
    for (const Row& row : {Row{"StartTLS, the server's CA", start_tls, slapd.ca_file(), true},
                           Row{"StartTLS, another CA", start_tls, other_ca, false},
                           Row{"ldaps, the server's CA", ldaps, slapd.ca_file(), true},
                           Row{"ldaps, another CA", ldaps, other_ca, false}}) {
        CAPTURE(row.name);
        // No tls_require_cert: what matters is the default.  write_jamm_config's own
        // server_host (the first line) goes: a second server_host line adds a server.
        const std::string conf = write_jamm_config(
            slapd, "cache_size = 0\n" + row.settings + "tls_ca_file = " + row.ca_file + "\n");
        const std::string text = read_file(conf) + "\n";
        REQUIRE(text.rfind("server_host = " + slapd.uri() + "\n", 0) == 0);
        std::ofstream(conf) << text.substr(text.find('\n') + 1);
        REQUIRE_FALSE(contains(read_file(dir + "/vmaildir.conf"), "tls_require_cert"));
        fs::remove(dir + "/vmaildir-postfix.log");
        TableDaemon daemon(dir, dir + "/vmaildir.conf");
        // postmap, as Postfix itself asks: found 0; not found 1 with nothing on stderr; a
        // temporary failure 1 with "temporary error" and a fatal "query error".
        const std::string out = dir + "/postmap.out", err = dir + "/postmap.err";
        int rc = status_of("postmap -c " + shell_quote(dir + "/postmap-etc") + " -q " +
                               "info@example.org " + shell_quote(daemon.table("alias")) + " > " +
                               shell_quote(out) + " 2> " + shell_quote(err),
                           true);
        const std::string postmap_errors = read_file(err);
        CAPTURE(postmap_errors);
        if (row.trusted) {
            CHECK(rc == 0);
            CHECK(read_file(out) == "alice@example.org,bob@example.org");
            CHECK(socketmap(daemon.socket(), "alias nobody@example.org") == "NOTFOUND ");
            continue;
        }
        CHECK(rc != 0);
        CHECK(contains(postmap_errors, "temporary error"));
        CHECK(contains(postmap_errors, "query error"));
        CHECK(read_file(out).empty());
        // Raw requests: an address that exists and one that does not are both "try later".
        for (const std::string key : {"info@example.org", "nobody@example.org"}) {
            CAPTURE(key);
            CHECK(socketmap(daemon.socket(), "alias " + key).rfind("TEMP ", 0) == 0);
            CHECK(socketmap(daemon.socket(), "mailbox " + key).rfind("TEMP ", 0) == 0);
        }
        // And every temporary failure in the log says that the certificate is what failed.
        std::istringstream lines(read_file(dir + "/vmaildir-postfix.log"));
        std::size_t failures = 0;
        for (std::string line; std::getline(lines, line);) {
            if (!contains(line, "temporary failure"))
                continue;
            CAPTURE(line);
            ++failures;
            CHECK(contains(line, "certificate did not verify"));
            CHECK(contains(line, "tls_ca_file " + row.ca_file));
        }
        CHECK(failures == 5); // postmap's and the four above (-v logs every lookup)
    }
}

// ---------------------------------------------------------------------------------------
// Passwords in logs.  Keep this case last: it reads the logs of the cases above too.

namespace {

/// A text a log must never show, with where it comes from: a password, or a form in which a
/// client sends one (base64 of SASL PLAIN and of LOGIN's password step).  A password is
/// matched as a whole word, so the rootpw "secret" is also found in prose: a log line must say
/// "bind password", not "secret", which is the better wording anyway.
struct Secret {
    std::string text;
    std::string origin;
    bool word; ///< match only as a whole word (plain passwords; base64 forms are matched anywhere)
};

/// The leading comment of every examples/ldif/*.ldif lists the entries with their test
/// passwords ("#   DN   password   {SCHEME}") and the slapd rootpw ('rootpw "secret"').
/// Each row adds its password and, for a mail account, the login ("mail=ADDRESS,..." or
/// "uid=LOCAL,dc=DOMAIN,...") to `logins`.
void ldif_secrets(std::vector<Secret>& out,
                  std::vector<std::pair<std::string, std::string>>& logins) {
    const std::regex row(R"(^#\s+(\S+)\s+(\S+)\s+\{[A-Z0-9]+\}\S*\s*$)");
    const std::regex rootpw(R"rx(rootpw "([^"]+)")rx");
    const std::regex mail(R"(^mail=([^,]+@[^,]+),)"), uid(R"(^uid=([^,]+),dc=([^,]+),)");
    for (const auto& e :
         fs::directory_iterator(std::string(VMAILDIR_SOURCE_DIR) + "/examples/ldif")) {
        if (e.path().extension() != ".ldif")
            continue;
        const std::string origin = "examples/ldif/" + e.path().filename().string();
        std::ifstream in(e.path());
        for (std::string line; std::getline(in, line) && !line.empty() && line[0] == '#';) {
            std::smatch m;
            if (std::regex_search(line, m, row)) {
                out.push_back({m[2].str(), origin, true});
                std::smatch who;
                std::string dn = m[1].str();
                if (std::regex_search(dn, who, mail))
                    logins.emplace_back(who[1].str(), m[2].str());
                else if (std::regex_search(dn, who, uid))
                    logins.emplace_back(who[1].str() + "@" + who[2].str(), m[2].str());
            } else if (std::regex_search(line, m, rootpw)) {
                out.push_back({m[1].str(), origin + " (rootpw)", true});
            }
        }
    }
}

/// Every secret: the LDIF fixtures', slapd-harness's ROOTPW, every password file the tests
/// wrote under the work directory (*.pw: bind.pw, wrong.pw), the Courier test's accounts for
/// the schemes vmaildir writes (courier_test.cpp: s-NAME@example.org / pw-NAME; its accounts
/// hashed by slappasswd are not derived), and the base64 forms of each login and password
/// pair as SMTP AUTH PLAIN and LOGIN send them.
std::vector<Secret> fixture_secrets() {
    std::vector<Secret> out;
    std::vector<std::pair<std::string, std::string>> logins;
    ldif_secrets(out, logins);
    std::smatch m;
    const std::string harness =
        read_file(std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/slapd-harness");
    if (std::regex_search(harness, m, std::regex(R"rx(\nROOTPW="([^"]+)")rx")))
        out.push_back({m[1].str(), "slapd-harness ROOTPW", true});
    for (const fs::path& file : walk(
             work_dir, [](const fs::path&) { return false; },
             [](const fs::path& p) { return p.extension() == ".pw"; }))
        if (std::string text = read_file(file.string()); !text.empty())
            out.push_back({text, file.string(), true});
    for (const std::string& scheme : vmaildir::password_scheme_names()) {
        out.push_back({"pw-" + scheme, "courier_test.cpp", true});
        logins.emplace_back("s-" + scheme + "@example.org", "pw-" + scheme);
    }
    for (const auto& [login, password] : logins) {
        using vmaildir::util::base64_encode;
        const std::string nul(1, '\0');
        out.push_back({base64_encode(nul + login + nul + password), "AUTH PLAIN " + login, false});
        out.push_back({base64_encode(login + nul + login + nul + password),
                       "AUTH PLAIN " + login + " (with authzid)", false});
        out.push_back({base64_encode(password), "AUTH LOGIN password of " + login, false});
    }
    // One entry per text (the first origin wins).
    std::vector<Secret> unique;
    std::set<std::string> seen;
    for (Secret& s : out)
        if (seen.insert(s.text).second)
            unique.push_back(std::move(s));
    return unique;
}

bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
}

/// Whether `line` shows `s`: anywhere for a base64 form; for a password, not as part of a
/// longer word ("secret" is the rootpw, and also the tail of "vmaildir-secret", which is
/// found as itself).
bool shows(const std::string& line, const Secret& s) {
    for (auto at = line.find(s.text); at != std::string::npos; at = line.find(s.text, at + 1)) {
        if (!s.word)
            return true;
        const std::size_t end = at + s.text.size();
        if ((at == 0 || !word_char(line[at - 1])) && (end == line.size() || !word_char(line[end])))
            return true;
    }
    return false;
}

/// A server-side log under the work directory.  Daemons the tests start write their stdout
/// and stderr to NAME.log (support/process.hpp: vmaildir-*.log, milter.log, replica*.log,
/// lmdb-tables*.log, exim-daemon.log), slapd-harness to slapd.log, slaptest.log, slapadd.log
/// and NAME.harness.log, postfix-harness to maillog, Exim to log/mainlog, rejectlog and
/// paniclog.  Client-side transcripts are named *.out and *.err (swaks.out, postmap.out/.err,
/// miltertest's and the CLI's *.out, exim-command.out): they hold what the client itself
/// sent, passwords included, and are no logs.  Mail (Maildirs, queues, spools) and slapd's
/// database are not read either.
bool server_log(const fs::path& p) {
    const std::string name = p.filename().string();
    return p.extension() == ".log" || name == "maillog" || p.parent_path().filename() == "log";
}

/// Directories under the work directory that hold mail or data, not logs.
bool skipped_directory(const fs::path& p) {
    static const std::set<std::string> names = {"db", "queue", "vmail", "spool", "data"};
    return names.count(p.filename().string()) > 0;
}

} // namespace

TEST_CASE("security: no fixture password or bind secret in any log of the whole suite") {
    const std::vector<Secret> secrets = fixture_secrets();
    // The list is derived, so check that the derivation found what the fixtures hold.
    std::set<std::string> texts;
    for (const Secret& s : secrets)
        texts.insert(s.text);
    for (const std::string known : {"vmaildir-secret", "siteadmin-secret", "alice-pw", "carol-pw",
                                    "gina-pw", "noimap-pw", "secret"}) {
        CAPTURE(known);
        CHECK(texts.count(known) == 1);
    }
    REQUIRE(secrets.size() > 30);

    const std::vector<fs::path> logs = walk(work_dir, skipped_directory, server_log);
    std::size_t others = 0; // logs of the other tests (not this one's own directories)
    for (const fs::path& log : logs)
        others += fs::relative(log, work_dir).begin()->string().rfind(own_prefix, 0) == 0 ? 0 : 1;
    REQUIRE_MESSAGE(others > 0, "no logs of the other integration tests under "
                                    << work_dir
                                    << ": run the whole suite first (ctest runs `security` "
                                       "last: ctest --test-dir build -L integration)");
    MESSAGE(logs.size() << " server-side logs read (" << others << " from the other tests), "
                        << secrets.size() << " secrets and forms looked for");

    // grep -F finds the candidate lines in one pass over each file (a log can grow to
    // gigabytes when a test floods it); shows() then applies the whole-word rule to them.
    const std::string scratch = work_dir + "/" + own_prefix + "logs";
    fs::create_directories(scratch);
    {
        std::ofstream patterns(scratch + "/patterns");
        for (const Secret& s : secrets)
            patterns << s.text << "\n";
        std::ofstream files(scratch + "/files");
        for (const fs::path& log : logs)
            files << log.string() << '\0';
    }
    // -Z: "FILE\0LINE:TEXT".  xargs says 123 when some grep found nothing (status 1); -s
    // keeps quiet about a log that another test removed meanwhile.
    int rc =
        status_of("LC_ALL=C xargs -0 -a " + shell_quote(scratch + "/files") +
                      " grep -HnZsF --binary-files=text -f " + shell_quote(scratch + "/patterns") +
                      " -- > " + shell_quote(scratch + "/candidates"),
                  true);
    CHECK((rc == 0 || rc == 123));
    std::size_t hits = 0;
    std::ifstream candidates(scratch + "/candidates");
    for (std::string entry; std::getline(candidates, entry);) {
        auto nul = entry.find('\0');
        auto colon = nul == std::string::npos ? nul : entry.find(':', nul);
        if (colon == std::string::npos)
            continue;
        const std::string line = entry.substr(colon + 1);
        for (const Secret& s : secrets)
            if (shows(line, s) && ++hits <= 100)
                FAIL_CHECK(entry.substr(0, nul)
                           << ":" << entry.substr(nul + 1, colon - nul - 1) << ": shows "
                           << s.origin << ": " << line.substr(0, 300));
    }
    fs::remove_all(scratch); // the patterns are the secrets themselves
    CHECK(hits == 0);
}
