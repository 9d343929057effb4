// Load and fault drills (issue #13): each MTA path under real SMTP load while
// its vmaildir daemon is killed with SIGKILL and restarted, or sent SIGHUP 100
// times.  Rule one of the project is that a directory problem never bounces
// mail, so every drill asserts the same outcome, never a timing: no 5xx to the
// client, no bounce or DSN from the MTA, every message in its Maildir exactly
// once.  The paths:
//   Postfix + vmaildir-postfix (socketmap tables, examples/postfix)
//   Exim + vmaildir-exim (readsocket, examples/exim)
//   Postfix + vmaildir-milter (examples/milter)
// The load is tests/support/smtp_load.hpp: a client that retries on 4xx like a
// sending MTA and counts 5xx as bounces.
#include "support/exim.hpp"
#include "support/milter.hpp"
#include "support/postfix.hpp"
#include "support/smtp_load.hpp"

#include <doctest/doctest.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>

using namespace vmaildir::test;
using namespace std::chrono_literals;

namespace {

/// Messages per drill: enough that the fault lands in the middle of steady traffic.
constexpr std::size_t load_size = 200;

/// What a drill needs of one MTA path: where SMTP comes in, the vmaildir daemon the MTA asks,
/// the MTA's queue, Maildirs and log.
class DrillHost {
public:
    virtual ~DrillHost() = default;
    virtual int smtp_port() const = 0;
    virtual pid_t daemon_pid() = 0;
    virtual bool daemon_running() = 0;
    /// Starts the daemon again with the same command line, after it was killed.
    virtual void restart_daemon() = 0;
    virtual std::string daemon_log() const = 0;
    /// Asks the MTA to try every queued message now (postqueue -f, exim -qff).
    virtual void flush() = 0;
    virtual std::size_t queued() const = 0;
    virtual Maildirs maildirs() const = 0;
    /// The MTA's log lines that record a bounce or a DSN it generated.
    virtual std::vector<std::string> bounces() const = 0;
    /// The recipients the load writes to, with the Maildirs each message must reach.
    virtual std::vector<LoadRecipient> recipients() const = 0;
};

/// The lines of `log` that contain any of `needles`.
std::vector<std::string> lines_with(const std::string& log,
                                    const std::vector<std::string>& needles) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < log.size()) {
        std::size_t end = log.find('\n', start);
        if (end == std::string::npos)
            end = log.size();
        std::string line = log.substr(start, end - start);
        for (const std::string& n : needles)
            if (line.find(n) != std::string::npos) {
                out.push_back(line);
                break;
            }
        start = end + 1;
    }
    return out;
}

std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1))
        ++n;
    return n;
}

/// The threads of process `pid` that can take a SIGHUP sent to the process: those that do not
/// block it.  A thread inside sigwait() for it counts, since the kernel unblocks what such a
/// thread waits for; /proc shows that mask.  Each daemon must have exactly one: the thread that
/// reloads (and none that would, say, stop the daemon instead).
std::size_t threads_taking_sighup(pid_t pid) {
    std::size_t n = 0;
    std::error_code gone; // the process has ended: no thread takes anything
    for (const auto& task :
         fs::directory_iterator("/proc/" + std::to_string(pid) + "/task", gone)) {
        std::ifstream status(task.path() / "status");
        std::string line;
        while (std::getline(status, line))
            if (line.rfind("SigBlk:", 0) == 0)
                n += (std::stoull(line.substr(7), nullptr, 16) & (1ULL << (SIGHUP - 1))) == 0;
    }
    return n;
}

/// The first few entries of a list, one a line, for a failure message.
std::string first_of(const std::vector<std::string>& items, std::size_t n = 10) {
    std::string out;
    for (std::size_t i = 0; i < items.size() && i < n; ++i)
        out += items[i] + "\n";
    if (items.size() > n)
        out += "... and " + std::to_string(items.size() - n) + " more\n";
    return out;
}

/// The load's recipients where vmaildir resolves them (Postfix's tables, Exim's routers): an
/// account, an alias with two accounts, a sub-address and a catch-all.
std::vector<LoadRecipient> resolved_recipients() {
    return {{"alice@example.org", {"example.org/alice/"}},
            {"info@example.org", {"example.org/alice/", "example.org/bob/"}},
            {"bob@example.org", {"example.org/bob/"}},
            {"carol+drill@example.net", {"example.net/carol/"}},
            {"whoever@example.net", {"example.net/carol/"}}};
}

/// Bounces, and DSNs (their sender is <>), in a Postfix log.
std::vector<std::string> postfix_bounces(const PostfixInstance& postfix) {
    return lines_with(postfix.log(), {"status=bounced", "from=<>", "notification: "});
}

/// Postfix with every table on vmaildir-postfix's socketmap, laid out as examples/postfix says
/// (smtpd, cleanup and trivial-rewrite chrooted; the socket at private/vmaildir under the
/// queue; virtual(8) delivering through the generated ldap: table), as postfix_test.cpp does.
class PostfixTablesHost : public DrillHost {
public:
    explicit PostfixTablesHost(const std::string& name) : slapd_(name, "jamm"), dir_(slapd_.dir()) {
        write_jamm_config(slapd_);
        fs::create_directories(dir_ + "/tables");
        run(std::string(VMAILDIR_POSTFIX_DAEMON) + " ldap-tables -c " +
            shell_quote(dir_ + "/vmaildir.conf") +
            " --live-domains socketmap:unix:private/vmaildir:transport --directory " +
            shell_quote(dir_ + "/tables"));
        postfix_.emplace(dir_ + "/postfix", example_main_cf(dir_ + "/postfix/vmail"),
                         example_virtual_options(dir_ + "/tables"), true);
        start();
    }
    int smtp_port() const override { return postfix_->port(); }
    pid_t daemon_pid() override { return daemon_->process().pid(); }
    bool daemon_running() override { return daemon_->process().running(); }
    void restart_daemon() override {
        daemon_.reset(); // reaps the killed process
        start();
    }
    std::string daemon_log() const override { return read_file(dir_ + "/vmaildir-postfix.log"); }
    void flush() override { postfix_->flush(); }
    std::size_t queued() const override { return postfix_->queued(); }
    Maildirs maildirs() const override { return postfix_->maildirs(); }
    std::vector<std::string> bounces() const override { return postfix_bounces(*postfix_); }
    std::vector<LoadRecipient> recipients() const override { return resolved_recipients(); }

private:
    void start() {
        // The socketmap socket, the configuration and the options are the same each time;
        // only the loopback tcp_table port (unused here) is picked afresh.
        daemon_.emplace(dir_, dir_ + "/vmaildir.conf", postfix_->queue_dir() + "/private/vmaildir");
    }

    Slapd slapd_;
    std::string dir_;
    std::optional<PostfixInstance> postfix_;
    std::optional<TableDaemon> daemon_;
};

/// Exim running examples/exim/exim4.conf against vmaildir-exim, as exim_test.cpp does.
class EximHost : public DrillHost {
public:
    explicit EximHost(const std::string& name) : slapd_(name, "jamm"), dir_(slapd_.dir()) {
        write_jamm_config(slapd_);
        daemon_.emplace(dir_, dir_ + "/vmaildir.conf");
        exim_.emplace(dir_ + "/exim", std::map<std::string, std::string>{
                                          {"VMAILDIR_SOCKET", daemon_->socket()},
                                          {"VMAILDIR_AUTH_SOCKET", daemon_->auth_socket()},
                                          {"VMAILDIR_TIMEOUT", "5s"}});
    }
    int smtp_port() const override { return exim_->port(); }
    pid_t daemon_pid() override { return daemon_->process().pid(); }
    bool daemon_running() override { return daemon_->process().running(); }
    void restart_daemon() override {
        daemon_.reset();
        daemon_.emplace(dir_, dir_ + "/vmaildir.conf");
    }
    std::string daemon_log() const override { return read_file(dir_ + "/vmaildir-exim.log"); }
    void flush() override { exim_->queue_run(); }
    std::size_t queued() const override { return exim_->queued(); }
    Maildirs maildirs() const override { return exim_->maildirs(); }
    std::vector<std::string> bounces() const override {
        // " ** " is a failed delivery, "<= <>" a bounce message Exim made and took in.
        return lines_with(exim_->mainlog(), {" ** ", "<= <>"});
    }
    std::vector<LoadRecipient> recipients() const override { return resolved_recipients(); }

private:
    Slapd slapd_;
    std::string dir_;
    std::optional<LookupDaemon> daemon_;
    std::optional<EximInstance> exim_;
};

/// Postfix with examples/milter/main.cf (the hosted domains are plain relay domains, no vmaildir
/// table) and vmaildir-milter on QUEUE/vmaildir/milter.sock, as milter_test.cpp does.  One
/// change for the count: relay_transport is virtual(8), with a texthash mailbox map of the
/// load's accounts, so that relayed mail lands in Maildirs instead of discard(8).
class MilterHost : public DrillHost {
public:
    explicit MilterHost(const std::string& name) : slapd_(name, "jamm"), dir_(slapd_.dir()) {
        write_jamm_config(slapd_);
        std::ofstream(dir_ + "/mailboxes") << "alice@example.org example.org/alice/\n"
                                              "bob@example.org example.org/bob/\n"
                                              "carol@example.net example.net/carol/\n";
        std::map<std::string, std::string> conf = example_settings("milter/main.cf");
        REQUIRE(conf.count("smtpd_milters"));
        conf["relay_transport"] = "virtual";
        postfix_.emplace(dir_ + "/postfix", conf,
                         std::map<std::string, std::string>{
                             {"virtual_mailbox_maps", "texthash:" + dir_ + "/mailboxes"}},
                         true);
        const std::string socket_dir = postfix_->queue_dir() + "/vmaildir";
        fs::create_directories(socket_dir);
        REQUIRE(chown(socket_dir.c_str(), getpwnam("nobody")->pw_uid,
                      getgrnam("postfix")->gr_gid) == 0);
        fs::permissions(socket_dir, fs::perms(0750));
        socket_ = "unix:" + socket_dir + "/milter.sock";
        start();
    }
    int smtp_port() const override { return postfix_->port(); }
    pid_t daemon_pid() override { return milter_->process().pid(); }
    bool daemon_running() override { return milter_->process().running(); }
    void restart_daemon() override {
        milter_.reset();
        // MilterDaemon starts a fresh log; keep the killed one's.
        std::ofstream(dir_ + "/milter-killed.log", std::ios::app)
            << read_file(dir_ + "/milter.log");
        start();
    }
    std::string daemon_log() const override {
        return read_file(dir_ + "/milter-killed.log") + "\n" + read_file(dir_ + "/milter.log");
    }
    void flush() override { postfix_->flush(); }
    std::size_t queued() const override { return postfix_->queued(); }
    Maildirs maildirs() const override { return postfix_->maildirs(); }
    std::vector<std::string> bounces() const override { return postfix_bounces(*postfix_); }
    std::vector<LoadRecipient> recipients() const override {
        return {{"alice@example.org", {"example.org/alice/"}},
                {"bob@example.org", {"example.org/bob/"}},
                {"carol+drill@example.net", {"example.net/carol/"}}};
    }

private:
    void start() { milter_.emplace(dir_, dir_ + "/vmaildir.conf", socket_); }

    Slapd slapd_;
    std::string dir_;
    std::string socket_;
    std::optional<PostfixInstance> postfix_;
    std::optional<MilterDaemon> milter_;
};

/// Flushes the MTA's queue until it is empty and the load's Maildirs hold as many files as it
/// should have left there (or a minute has passed): whether that happened.
bool drain(DrillHost& h, const SmtpLoad& load) {
    const std::size_t expected = expected_deliveries(load);
    for (auto until = std::chrono::steady_clock::now() + 60s;
         std::chrono::steady_clock::now() < until;) {
        h.flush();
        if (wait_for([&] { return h.queued() == 0 && files_in(h.maildirs(), load) >= expected; },
                     3s))
            return true;
    }
    return false;
}

/// What every drill ends with: nothing refused for good, nothing bounced, every message in its
/// Maildirs exactly once, and the daemon answering from the directory (an unknown recipient
/// gets 550 5.1.1, which only a working daemon can say).
void check_outcome(DrillHost& h, const SmtpLoad& load) {
    CHECK_MESSAGE(load.refusals().empty(), "5xx answers, each a bounce:\n"
                                               << first_of(load.refusals()));
    CHECK(load.given_up().empty());
    CHECK(load.accepted() == load.count());
    CHECK(drain(h, load));
    const Deliveries d = count_deliveries(h.maildirs(), load);
    CHECK_MESSAGE(d.missing.empty(), "lost:\n" << first_of(d.missing));
    CHECK_MESSAGE(d.duplicated.empty(), "delivered more than once:\n" << first_of(d.duplicated));
    CHECK_MESSAGE(d.unexpected.empty(), "not sent by the load:\n" << first_of(d.unexpected));
    CHECK(d.delivered == expected_deliveries(load));
    CHECK_MESSAGE(h.bounces().empty(), "bounces and DSNs:\n" << first_of(h.bounces()));

    SmtpAttempt probe = smtp_send(h.smtp_port(), "sender@sender.test", "nobody@example.org",
                                  "Subject: probe\r\n\r\nprobe\r\n");
    CHECK(probe.outcome == SmtpOutcome::refused);
    CHECK_MESSAGE(probe.reply.rfind("550 5.1.1", 0) == 0, probe.reply);
}

SmtpLoad::Settings load_settings(DrillHost& h, const std::string& tag) {
    SmtpLoad::Settings s;
    s.port = h.smtp_port();
    s.tag = tag;
    s.recipients = h.recipients();
    s.count = load_size;
    return s;
}

/// kill -9 of the daemon a third into the load, restarted (same command line) once it has
/// been down for a second and the client has been told to try later a few times.
void kill_drill(DrillHost& h, const std::string& tag) {
    SmtpLoad load(load_settings(h, tag));
    REQUIRE(load.wait_accepted(load_size / 3, 60s));
    const std::size_t deferred_before = load.deferrals();
    const pid_t killed = h.daemon_pid();
    REQUIRE(kill(killed, SIGKILL) == 0);
    std::this_thread::sleep_for(1s);
    // The outage is felt, as "try later": the drill drills.
    CHECK_MESSAGE(load.wait_deferrals(deferred_before, 4, 20s), "no 4xx while the daemon was down");
    h.restart_daemon();
    CHECK(h.daemon_pid() != killed);
    load.finish();
    MESSAGE(tag << ": " << load.deferrals() << " answers to try later:\n"
                << load.deferral_summary());
    check_outcome(h, load);
}

/// 100 SIGHUPs under the load: ten bursts spread over its first 70%, each ten SIGHUPs a few
/// dozen microseconds apart (as when logrotate and a configuration manager reload the daemon
/// at once, and so that some arrive while the daemon is still busy with the one before).  The
/// same process serves throughout.
void hup_drill(DrillHost& h, const std::string& tag) {
    const std::size_t reloads_before = occurrences(h.daemon_log(), "configuration reloaded");
    SmtpLoad load(load_settings(h, tag));
    const pid_t pid = h.daemon_pid();
    // Between reloads exactly one thread takes SIGHUP (during one, none may: the kernel keeps
    // the signal pending for it).
    CHECK(wait_for([&] { return threads_taking_sighup(pid) == 1; }, 5s));
    for (std::size_t burst = 1; burst <= 10; ++burst) {
        load.wait_accepted(burst * load_size * 7 / 100, 30s);
        for (int k = 0; k < 10; ++k) {
            REQUIRE(kill(pid, SIGHUP) == 0);
            auto until = std::chrono::steady_clock::now() + std::chrono::microseconds(20 + 20 * k);
            while (std::chrono::steady_clock::now() < until) {
            }
        }
    }
    load.finish();
    CHECK(h.daemon_running());
    CHECK(h.daemon_pid() == pid);
    CHECK(wait_for([&] { return threads_taking_sighup(pid) == 1; }, 5s));
    const std::string log = h.daemon_log();
    const std::size_t reloads = occurrences(log, "configuration reloaded") - reloads_before;
    CHECK(reloads > 0);
    CHECK(occurrences(log, "reload refused") == 0);
    MESSAGE(tag << ": " << reloads << " reloads; " << load.deferrals() << " answers to try later:\n"
                << load.deferral_summary());
    check_outcome(h, load);
}

} // namespace

TEST_CASE("drill: kill -9 of vmaildir-postfix under SMTP load (Postfix socketmap tables)") {
    PostfixTablesHost h("drill-postfix-kill");
    kill_drill(h, "postfix-kill");
}

TEST_CASE("drill: kill -9 of vmaildir-exim under SMTP load (Exim readsocket)") {
    EximHost h("drill-exim-kill");
    kill_drill(h, "exim-kill");
}

TEST_CASE("drill: kill -9 of vmaildir-milter under SMTP load (Postfix smtpd_milters)") {
    MilterHost h("drill-milter-kill");
    kill_drill(h, "milter-kill");
}

TEST_CASE("drill: 100 SIGHUPs to vmaildir-postfix under SMTP load") {
    PostfixTablesHost h("drill-postfix-hup");
    hup_drill(h, "postfix-hup");
}

TEST_CASE("drill: 100 SIGHUPs to vmaildir-exim under SMTP load") {
    EximHost h("drill-exim-hup");
    hup_drill(h, "exim-hup");
}

TEST_CASE("drill: 100 SIGHUPs to vmaildir-milter under SMTP load") {
    MilterHost h("drill-milter-hup");
    hup_drill(h, "milter-hup");
}
