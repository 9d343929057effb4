// Courier IMAP/POP3 and Postfix SMTP AUTH through vmaildir's authlib module:
// a real slapd, a private authdaemond loading libauthvmaildir.so.0, real
// imapd/pop3d, Postfix with Cyrus SASL's authdaemond method, and real clients
// (authtest, curl for IMAP/POP3, swaks).  Runs inside
// tests/integration/courier-namespace (see tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <tuple>

#include "support/courier.hpp"
#include "support/postfix.hpp"
#include "support/replica.hpp"
#include "vmaildir/auth/password.hpp"

using namespace vmaildir::test;

namespace {

/// examples/courier/vmaildir.conf pointed at a test slapd, with `overrides` on top.
std::string write_config(const Slapd& slapd, const std::string& name,
                         std::map<std::string, std::string> overrides) {
    auto settings = example_settings("courier/vmaildir.conf");
    REQUIRE(settings.count("auth_method"));
    write_secret_file(slapd.dir() + "/bind.pw", "vmaildir-secret");
    settings["server_host"] = slapd.uri();
    settings["bind_pw_file"] = slapd.dir() + "/bind.pw";
    settings["log"] = "stderr";
    for (auto& [k, v] : overrides)
        settings[k] = v;
    std::string path = slapd.dir() + "/" + name + ".conf";
    std::ofstream out(path);
    for (const auto& [k, v] : settings)
        out << k << " = " << v << "\n";
    return path;
}

bool authenticated(const std::pair<int, std::string>& r) {
    return r.first == 0 && r.second.find("Authentication succeeded") != std::string::npos;
}
/// authtest's words for a refusal (every module said no) ...
bool refused(const std::pair<int, std::string>& r) {
    return r.first != 0 && r.second.find("Operation not permitted") != std::string::npos;
}
/// ... and for a temporary failure (a module said "try later"; authdaemond closed).
bool deferred(const std::pair<int, std::string>& r) {
    return r.first != 0 && r.second.find("Input/output error") != std::string::npos;
}

std::string q(const std::string& s) { return shell_quote(s); }

/// How Courier's imapd and pop3d answered a LOGIN / USER+PASS.
enum class Login { ok, refused, temporary };

/// One real login with curl -v to `url` (imap://... lists the folders, pop3://... the
/// messages).  Courier says "NO Login failed." / "-ERR Login failed." for a wrong password and
/// "* BYE Temporary problem, please try again later" / "-ERR Temporary problem, please try
/// again later" when authentication failed temporarily (a module said so, or authdaemond is
/// not there): anything but success and "Login failed" is temporary.  `slot` keeps concurrent
/// callers' transcripts apart.
Login login(const std::string& url, const std::string& user, const std::string& password,
            const std::string& slot = "login") {
    std::string out = "/run/courier/" + slot + ".out";
    int rc = status_of("curl -sv --max-time 30 " + q(url) + " -u " + q(user + ":" + password) +
                           " > " + out + " 2>&1",
                       true);
    if (rc == 0)
        return Login::ok;
    return read_file(out).find("Login failed") != std::string::npos ? Login::refused
                                                                    : Login::temporary;
}

/// The PID of authdaemond's master process: the child of the courierlogger that its PID file
/// names (signals to the logger do not reach it).
pid_t authdaemond_master() {
    std::string logger = read_file("/run/courier/authdaemon/pid");
    if (logger.empty())
        return -1;
    std::string child = read_file("/proc/" + logger + "/task/" + logger + "/children");
    return child.empty() ? -1 : static_cast<pid_t>(std::stol(child));
}

/// The PIDs of a process's children, as /proc lists them.
std::string workers_of(pid_t pid) {
    std::string p = std::to_string(pid);
    return read_file("/proc/" + p + "/task/" + p + "/children");
}

/// Whether `pid` is running (not gone, not a zombie).
bool alive(pid_t pid) {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto paren = stat.rfind(')');
    return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

/// Logins in a loop on a thread of their own, alternately IMAP as alice and POP3 as bob, with
/// the right passwords, each tagged with the phase of the drill it began in.
class LoginLoop {
public:
    LoginLoop(int imap_port, int pop3_port)
        : imap_("imap://127.0.0.1:" + std::to_string(imap_port) + "/"),
          pop3_("pop3://127.0.0.1:" + std::to_string(pop3_port) + "/"), thread_([this] { run(); }) {
    }
    ~LoginLoop() {
        stop_ = true;
        thread_.join();
    }
    LoginLoop(const LoginLoop&) = delete;
    LoginLoop& operator=(const LoginLoop&) = delete;

    void phase(int p) { phase_ = p; }
    /// Outcomes of the logins begun and ended in phase `p`, counted.
    std::map<Login, std::size_t> outcomes(int p) {
        std::lock_guard lock(mutex_);
        std::map<Login, std::size_t> out;
        for (auto [began, ended, what] : done_)
            if (began == p && ended == p)
                ++out[what];
        return out;
    }
    /// Logins refused in any phase, also those that began in one and ended in the next.
    std::size_t refused() {
        std::lock_guard lock(mutex_);
        return static_cast<std::size_t>(std::count_if(
            done_.begin(), done_.end(), [](auto& d) { return std::get<2>(d) == Login::refused; }));
    }
    /// Waits until `n` logins begun and ended in phase `p` have ended.
    bool wait_for_logins(int p, std::size_t n, std::chrono::seconds limit) {
        return wait_for(
            [&] {
                std::size_t total = 0;
                for (auto [what, count] : outcomes(p))
                    total += count;
                return total >= n;
            },
            limit);
    }

private:
    void run() {
        for (std::size_t i = 0; !stop_; ++i) {
            int began = phase_;
            Login r = i % 2 ? login(pop3_, "bob@example.org", "bob-pw", "loop")
                            : login(imap_, "alice@example.org", "alice-pw", "loop");
            std::lock_guard lock(mutex_);
            done_.emplace_back(began, phase_.load(), r);
        }
    }
    std::string imap_, pop3_;
    std::atomic<int> phase_{0};
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<std::tuple<int, int, Login>> done_; ///< phase begun in, ended in, outcome
    std::thread thread_;
};

} // namespace

TEST_CASE("courier: authtest accepts every password scheme, with bind and with compare") {
    Slapd slapd("courier-schemes", "jamm");
    // One account per scheme, hashed here, by slappasswd (with slapd's pw-sha2 module for
    // the unsalted SHA-2 schemes) and by OpenSSL: nothing is checked with its own hashing.
    std::vector<std::pair<std::string, std::string>> accounts; // local part, userPassword
    for (const std::string& name : vmaildir::password_scheme_names()) {
        auto hashed = vmaildir::hash_password("pw-" + name, *vmaildir::parse_password_scheme(name));
        REQUIRE(hashed);
        accounts.emplace_back(name, *hashed);
    }
    const std::string slappasswd =
        "slappasswd -o module-path=/usr/lib/ldap -o module-load=pw-sha2 -n ";
    for (const char* scheme : {"{SHA}", "{SMD5}", "{MD5}", "{SHA256}", "{SHA512}"}) {
        std::string name = std::string(scheme).substr(1, std::string(scheme).size() - 2);
        accounts.emplace_back(name, run(slappasswd + "-h " + q(scheme) + " -s " + q("pw-" + name)));
    }
    accounts.emplace_back("MD5-CRYPT", "{CRYPT}" + run("openssl passwd -1 pw-MD5-CRYPT | tr -d '\\n'"));
    std::string ldif;
    for (auto& [name, hash] : accounts) {
        std::string mail = "s-" + name + "@example.org";
        ldif += "dn: mail=" + mail + ",jvd=example.org,o=hosting,dc=example,dc=com\n"
                "changetype: add\nobjectClass: JammMailAccount\nmail: " + mail +
                "\nmailbox: example.org/s/\nhomeDirectory: /var/mail/vhosts\nuidNumber: 5000\n"
                "gidNumber: 5000\nuserPassword: " + hash + "\n\n";
    }
    slapd.modify(ldif);

    for (const char* method : {"bind", "compare"}) {
        std::string conf = write_config(slapd, method, {{"schema", "jamm"}, {"auth_method", method}});
        AuthDaemon daemon("authvmaildir", conf);
        for (auto& [name, hash] : accounts) {
            std::string row = std::string(method) + " " + name;
            CAPTURE(row);
            std::string login = "s-" + name + "@example.org";
            CHECK(authenticated(authtest("-s imap " + q(login) + " " + q("pw-" + name))));
            CHECK(refused(authtest("-s imap " + q(login) + " " + q("pw-" + name + "x"))));
        }
    }
}

TEST_CASE("courier: refused logins, password change, local users, directory down") {
    Slapd slapd("courier-logins", "jamm");
    std::string conf = write_config(slapd, "logins", {{"schema", "jamm"}});
    // A local shell user for authpam, in this namespace's private /etc/passwd and shadow.
    std::string local_hash = run("openssl passwd -6 local-pw | tr -d '\\n'");
    std::ofstream("/etc/passwd", std::ios::app)
        << "vmlocal:x:5999:5999:local user:/nonexistent:/usr/sbin/nologin\n";
    std::ofstream("/etc/shadow", std::ios::app) << "vmlocal:" << local_hash << ":19000:0:99999:7:::\n";

    AuthDaemon daemon("authvmaildir authpam", conf);
    auto alice = authtest("-s imap alice@example.org alice-pw");
    CHECK(authenticated(alice));
    CHECK(alice.second.find("Maildir: /var/mail/vhosts/example.org/alice/") != std::string::npos);
    CHECK(alice.second.find("Quota: 100000000S") != std::string::npos);

    for (const char* bad : {"alice@example.org wrong-pw", "dave@example.org dave-pw",
                            "erin@example.org erin-pw", "gina@disabled.test gina-pw",
                            "info@example.org alice-pw", "nobody@example.org x",
                            "alice+tag@example.org alice-pw", "'*@example.org' alice-pw"}) {
        std::string row = bad;
        CAPTURE(row);
        CHECK(refused(authtest("-s imap " + row)));
    }

    // Password change through authdaemond's PASSWD, then a login with the new password.
    auto changed = authtest("-s imap bob@example.org bob-pw bob-new");
    CHECK(changed.second.find("Password change succeeded") != std::string::npos);
    CHECK(authenticated(authtest("-s imap bob@example.org bob-new")));
    CHECK(refused(authtest("-s imap bob@example.org bob-pw")));
    CHECK_FALSE(authtest("-s imap bob@example.org wrong new2").second.find(
                    "Password change succeeded") != std::string::npos);

    // Local users still log in through authpam, after vmaildir.
    auto local = authtest("-s imap vmlocal local-pw");
    CAPTURE(local.second);
    CHECK(authenticated(local));
    CHECK(local.second.find("system username: vmlocal") != std::string::npos);
    CHECK(refused(authtest("-s imap vmlocal wrong")));

    // The directory goes away: a temporary failure, never "wrong password"; and authpam is
    // not asked instead.  (frank has not logged in yet: a login verified in the last
    // auth_cache_ttl would still be accepted by the worker that verified it.)
    slapd.stop();
    CHECK(deferred(authtest("-s imap frank@example.org frank-pw")));
    CHECK(deferred(authtest("-s imap alice@example.org"))); // PRE
}

TEST_CASE("courier: logins from the replica: changes reach every worker, LDAP down") {
    Slapd slapd("courier-replica", "jamm", false, "", "--syncprov");
    // compare: the replica holds the hashes, so logins need no LDAP at all.
    std::string conf = write_config(slapd, "replica",
                                    {{"schema", "jamm"},
                                     {"auth_method", "compare"},
                                     {"replica", slapd.dir() + "/store"}});
    ReplicaDaemon replica(conf, slapd.dir() + "/replica.log");
    AuthDaemon daemon("authvmaildir", conf, 3);
    // Every worker verifies (and caches) alice's login; a few tries reach all three.
    for (int i = 0; i < 6; ++i)
        CHECK(authenticated(authtest("-s imap alice@example.org alice-pw")));

    // A password changed in the directory: the old one stops working in every worker at once,
    // whatever auth_cache_ttl says, because the change reached the replica.
    std::string hash = run("slappasswd -h '{SSHA}' -s alice-new | tr -d '\\n'");
    slapd.modify("dn: mail=alice@example.org,jvd=example.org,o=hosting,dc=example,dc=com\n"
                 "changetype: modify\nreplace: userPassword\nuserPassword: " + hash + "\n");
    CHECK(wait_for([] { return authenticated(authtest("-s imap alice@example.org alice-new")); },
                   std::chrono::seconds(5)));
    for (int i = 0; i < 6; ++i)
        CHECK(refused(authtest("-s imap alice@example.org alice-pw")));

    // A new account logs in as soon as it is replicated; a disabled one is refused.
    slapd.modify("dn: mail=zed@example.org,jvd=example.org,o=hosting,dc=example,dc=com\n"
                 "changetype: add\nobjectClass: top\nobjectClass: JammMailAccount\n"
                 "mail: zed@example.org\nhomeDirectory: /var/mail/vhosts\n"
                 "mailbox: example.org/zed/\nuidNumber: 5000\ngidNumber: 5000\n"
                 "userPassword: " + hash + "\naccountActive: TRUE\ndelete: FALSE\n");
    CHECK(wait_for([] { return authenticated(authtest("-s imap zed@example.org alice-new")); },
                   std::chrono::seconds(5)));
    slapd.modify("dn: mail=bob@example.org,jvd=example.org,o=hosting,dc=example,dc=com\n"
                 "changetype: modify\nreplace: accountActive\naccountActive: FALSE\n");
    CHECK(wait_for([] { return refused(authtest("-s imap bob@example.org bob-pw")); },
                   std::chrono::seconds(5)));

    // LDAP down: logins go on from the copy.
    slapd.stop();
    CHECK(authenticated(authtest("-s imap frank@example.org frank-pw")));
    CHECK(authenticated(authtest("-s pop3 zed@example.org alice-new")));
    CHECK(refused(authtest("-s imap frank@example.org wrong")));
    CHECK(refused(authtest("-s imap nobody@example.org x")));
}

TEST_CASE("courier: per-service flags of the courier layout") {
    Slapd slapd("courier-services", "courier");
    std::string conf = write_config(slapd, "services", {});
    AuthDaemon daemon("authvmaildir", conf);
    CHECK(refused(authtest("-s imap noimap@example.org noimap-pw")));
    CHECK(authenticated(authtest("-s pop3 noimap@example.org noimap-pw")));
    CHECK(authenticated(authtest("-s imap carol@example.net carol-pw")));
    auto listed = run("authenumerate");
    CHECK(listed.find("alice@example.org\t5000\t5000\t/var/mail/vhosts\t"
                      "/var/mail/vhosts/example.org/alice/") != std::string::npos);
    CHECK(listed.find("noimap@example.org") != std::string::npos);
    CHECK(listed.find("info@example.org") == std::string::npos); // aliases are no accounts
}

TEST_CASE("courier: IMAP and POP3 read what Postfix delivered; SMTP AUTH and sender ownership") {
    Slapd slapd("courier-mail", "jamm");
    std::string conf = write_config(slapd, "mail", {{"schema", "jamm"}});
    const std::string dir = slapd.dir();
    fs::create_directories(dir + "/tables");
    run(std::string(VMAILDIR_POSTFIX_DAEMON) + " ldap-tables -c " + q(conf) +
        " --live-domains socketmap:unix:private/vmaildir:transport --directory " +
        q(dir + "/tables"));
    std::map<std::string, std::string> main_cf = example_settings("postfix/main.cf");
    for (auto& [k, v] : example_settings("postfix/main-smtp-auth.cf"))
        main_cf[k] = v;
    // The Maildirs where Courier finds them (homeDirectory + mailbox): /var/mail/vhosts is
    // this namespace's own.
    main_cf["virtual_mailbox_base"] = "/var/mail/vhosts";
    // smtpd unchrooted, so that SASL reaches authdaemond's socket (examples/postfix/sasl).
    PostfixInstance postfix(dir + "/postfix", main_cf,
                            {{"virtual_mailbox_maps", "ldap:" + dir + "/tables/vmaildir-mailbox.cf"}});
    // Debian's Postfix reads Cyrus SASL's smtpd.conf from $config_directory/sasl only.
    fs::create_directories(postfix.config_dir() + "/sasl");
    fs::copy_file(std::string(VMAILDIR_SOURCE_DIR) + "/examples/postfix/sasl/smtpd.conf",
                  postfix.config_dir() + "/sasl/smtpd.conf");
    postfix.set({});
    TableDaemon tables(dir, conf, postfix.queue_dir() + "/private/vmaildir");
    AuthDaemon daemon("authvmaildir authpam", conf);
    // The administrator's step of examples/postfix/sasl/smtpd.conf: smtpd (user postfix) may
    // use authdaemond's socket.
    run("chgrp postfix /run/courier/authdaemon");
    CourierServer imapd("imapd", free_port());
    CourierServer pop3d("pop3d", free_port());

    auto smtp = [&](const std::string& user, const std::string& password, const std::string& from,
                    const std::string& to, const std::string& subject) {
        return postfix.swaks("--auth PLAIN --auth-user " + q(user) + " --auth-password " +
                             q(password) + " --from " + q(from) + " --to " + q(to) +
                             " --header " + q("Subject: " + subject));
    };
    // SMTP AUTH through Cyrus SASL -> authdaemond -> vmaildir; sending as own addresses.
    Swaks sent = smtp("bob@example.org", "bob-pw", "bob@example.org", "alice@example.org",
                      "for alice over imap");
    CHECK(sent.replied("235 2.7.0"));
    CHECK(sent.replied("250 2.0.0"));
    CHECK(smtp("alice@example.org", "alice-pw", "info@example.org", "bob@example.org",
               "as info, which alice owns")
              .replied("250 2.0.0"));
    Swaks spoof = smtp("alice@example.org", "alice-pw", "bob@example.org", "carol@example.net",
                       "as bob");
    CHECK(spoof.replied("553 5.7.1"));
    CHECK(spoof.output.find("not owned by user alice@example.org") != std::string::npos);
    CHECK(smtp("alice@example.org", "alice-pw", "anyone@example.net", "bob@example.org",
               "through a catch-all").replied("553 5.7.1"));
    CHECK(smtp("alice@example.org", "wrong-pw", "alice@example.org", "bob@example.org", "x")
              .replied("535 5.7.8"));
    REQUIRE(wait_for([&] { return postfix.queued() == 0; }, std::chrono::seconds(20)));

    // IMAP LOGIN and POP3 USER/PASS list the message Postfix delivered.
    const std::string imap = "imap://127.0.0.1:" + std::to_string(imapd.port()) + "/INBOX";
    auto fetched = curl(q(imap) + " -u alice@example.org:alice-pw -X " +
                        q("FETCH 1:* (BODY.PEEK[HEADER.FIELDS (SUBJECT)])"));
    CHECK(fetched.first == 0);
    auto body = curl(q(imap + ";UID=1") + " -u alice@example.org:alice-pw");
    CHECK(body.second.find("Subject: for alice over imap") != std::string::npos);
    const std::string pop3 = "pop3://127.0.0.1:" + std::to_string(pop3d.port());
    auto list = curl(q(pop3 + "/") + " -u bob@example.org:bob-pw");
    CHECK(list.first == 0);
    CHECK(list.second.rfind("1 ", 0) == 0);
    auto retrieved = curl(q(pop3 + "/1") + " -u bob@example.org:bob-pw");
    CHECK(retrieved.second.find("Subject: as info, which alice owns") != std::string::npos);

    // A wrong password is a refusal (curl: login denied); a disabled account too.
    CHECK(curl(q(imap) + " -u alice@example.org:wrong").first == 67);
    CHECK(curl(q(pop3 + "/") + " -u dave@example.org:dave-pw").first == 67);

    // Directory down: the client sees a server error, not "wrong password" (frank, who has
    // not logged in before, so that no worker has his login cached).
    slapd.stop();
    auto down = curl("-v " + q(imap) + " -u frank@example.org:frank-pw");
    CHECK(down.first != 0);
    CHECK(down.first != 67);
    CHECK(down.second.find("Temporary problem") != std::string::npos);
    CHECK(smtp("frank@example.org", "frank-pw", "frank@example.org", "bob@example.org", "down")
              .replied("454 4.7.0"));
}

TEST_CASE("courier: kill -9 of authdaemond and 100 SIGHUPs under a login load; SMTP AUTH") {
    Slapd slapd("courier-drills", "jamm");
    std::string conf = write_config(slapd, "drills", {{"schema", "jamm"}});
    const std::string dir = slapd.dir();
    // The Maildirs that imapd and pop3d open after a login (this namespace's /var/mail).
    for (const char* user : {"alice", "bob"})
        run("install -d -o 5000 -g 5000 /var/mail/vhosts/example.org "
            "/var/mail/vhosts/example.org/" +
            std::string(user) + " /var/mail/vhosts/example.org/" + user +
            "/cur "
            "/var/mail/vhosts/example.org/" +
            user + "/new /var/mail/vhosts/example.org/" + user + "/tmp");
    // Postfix with SMTP AUTH through Cyrus SASL's authdaemond method, as in the case above
    // (only AUTH is asked here: no tables needed).
    std::map<std::string, std::string> main_cf = example_settings("postfix/main.cf");
    for (auto& [k, v] : example_settings("postfix/main-smtp-auth.cf"))
        main_cf[k] = v;
    main_cf["virtual_mailbox_base"] = "/var/mail/vhosts";
    PostfixInstance postfix(dir + "/postfix", main_cf);
    fs::create_directories(postfix.config_dir() + "/sasl");
    fs::copy_file(std::string(VMAILDIR_SOURCE_DIR) + "/examples/postfix/sasl/smtpd.conf",
                  postfix.config_dir() + "/sasl/smtpd.conf", fs::copy_options::overwrite_existing);
    postfix.set({});
    auto smtp_auth = [&](const std::string& user, const std::string& password) {
        return postfix.swaks("--quit-after AUTH --auth PLAIN --auth-user " + q(user) +
                             " --auth-password " + q(password) + " --to bob@example.org");
    };

    std::optional<AuthDaemon> daemon;
    daemon.emplace("authvmaildir", conf);
    run("chgrp postfix /run/courier/authdaemon");
    CourierServer imapd("imapd", free_port());
    CourierServer pop3d("pop3d", free_port());
    const std::string imap = "imap://127.0.0.1:" + std::to_string(imapd.port()) + "/";
    const std::string pop3 = "pop3://127.0.0.1:" + std::to_string(pop3d.port()) + "/";
    REQUIRE(login(imap, "alice@example.org", "alice-pw") == Login::ok);
    REQUIRE(login(pop3, "bob@example.org", "bob-pw") == Login::ok);
    CHECK(login(imap, "alice@example.org", "wrong") == Login::refused);
    CHECK(smtp_auth("alice@example.org", "alice-pw").replied("235 2.7.0"));
    CHECK(smtp_auth("alice@example.org", "wrong").replied("535 5.7.8"));

    {
        LoginLoop loop(imapd.port(), pop3d.port());
        CHECK(loop.wait_for_logins(0, 4, std::chrono::seconds(30)));

        // kill -9 of authdaemond's master: its workers go with it, and so does courierlogger.
        // Logins fail for now, but as "try later", never as a wrong password.
        pid_t master = authdaemond_master();
        REQUIRE(master > 0);
        loop.phase(1);
        ::kill(master, SIGKILL);
        CHECK(wait_for([&] { return !alive(master); }, std::chrono::seconds(10)));
        CHECK(loop.wait_for_logins(1, 4, std::chrono::seconds(30)));
        Swaks down = smtp_auth("alice@example.org", "alice-pw");
        CHECK(down.replied("454 4.7.0"));
        CHECK_FALSE(down.replied("535"));

        // Restarted, every login succeeds again.
        loop.phase(2);
        daemon.reset(); // its PID file names a logger that is gone: nothing to stop
        daemon.emplace("authvmaildir", conf);
        loop.phase(3);
        CHECK(loop.wait_for_logins(3, 6, std::chrono::seconds(30)));

        // 100 SIGHUPs, 50 ms apart: each makes authdaemond stop its workers, reload its
        // modules and start new ones, while logins go on.
        master = authdaemond_master();
        REQUIRE(master > 0);
        const std::string workers = workers_of(master);
        loop.phase(4);
        for (int i = 0; i < 100; ++i) {
            ::kill(master, SIGHUP);
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        loop.phase(5);
        CHECK(alive(master));
        CHECK(authdaemond_master() == master);
        CHECK(workers_of(master) != workers); // the SIGHUPs took effect
        CHECK(loop.wait_for_logins(5, 6, std::chrono::seconds(30)));

        auto before = loop.outcomes(0), outage = loop.outcomes(1), restarting = loop.outcomes(2),
             after = loop.outcomes(3), storm = loop.outcomes(4), calm = loop.outcomes(5);
        MESSAGE("logins ok/refused/temporary: before ", before[Login::ok], "/",
                before[Login::refused], "/", before[Login::temporary], "; authdaemond killed ",
                outage[Login::ok], "/", outage[Login::refused], "/", outage[Login::temporary],
                "; restarting ", restarting[Login::ok], "/", restarting[Login::refused], "/",
                restarting[Login::temporary], "; restarted ", after[Login::ok], "/",
                after[Login::refused], "/", after[Login::temporary], "; SIGHUPs ", storm[Login::ok],
                "/", storm[Login::refused], "/", storm[Login::temporary], "; after them ",
                calm[Login::ok], "/", calm[Login::refused], "/", calm[Login::temporary]);
        // Never "wrong password" for the right one, also not for the logins in flight at the
        // kill (which may fail for now) or at the end of the SIGHUPs.
        CHECK(loop.refused() == 0);
        CHECK(before[Login::refused] + before[Login::temporary] == 0);
        CHECK(outage[Login::refused] == 0);
        CHECK(outage[Login::temporary] >= 3);
        CHECK(restarting[Login::refused] == 0);
        CHECK(after[Login::refused] + after[Login::temporary] == 0);
        CHECK(storm[Login::refused] == 0);
        CHECK(storm[Login::ok] >= 1);
        CHECK(calm[Login::refused] + calm[Login::temporary] == 0);
    }
    // A wrong password is still refused, on both services and on SMTP.
    CHECK(login(imap, "alice@example.org", "wrong") == Login::refused);
    CHECK(login(pop3, "bob@example.org", "wrong") == Login::refused);
    CHECK(smtp_auth("alice@example.org", "alice-pw").replied("235 2.7.0"));
    CHECK(smtp_auth("alice@example.org", "wrong").replied("535 5.7.8"));
}

TEST_CASE("courier: a password set with vmaildir ends the old one at once in every authdaemond "
          "worker") {
    // slapd runs the generated access rules and takes root (over ldapi://) for the site admin.
    const std::string rules = std::string(VMAILDIR_TEST_WORK_DIR) + "/courier-stamp.acl";
    const std::string site = "cn=siteadmin,dc=example,dc=com";
    write_secret_file(rules + ".pw", "vmaildir-secret");
    std::ofstream(rules + ".conf")
        << "search_base = o=hosting,dc=example,dc=com\n"
        << "bind_dn = cn=vmaildir,dc=example,dc=com\n"
        << "bind_pw_file = " << rules << ".pw\nsite_admins = " << site << "\n";
    run(shell_quote(VMAILDIR_CLI) + " -c " + q(rules + ".conf") + " acl-rules > " + q(rules));
    Slapd slapd("courier-stamp", "jamm", false, rules, "--root-as=" + site);
    const std::string conf = write_config(slapd, "stamp",
                                          {{"schema", "jamm"},
                                           {"auth_cache_ttl", "60s"},
                                           {"auth_cache_stamp", slapd.dir() + "/login-cache.stamp"},
                                           {"site_admins", site},
                                           {"admin_uri", slapd.ldapi_uri()}});
    AuthDaemon daemon("authvmaildir", conf, 2);
    const std::string alice = q("alice@example.org");
    // Both workers answer in turn; each keeps alice's login for auth_cache_ttl.
    for (int i = 0; i < 4; ++i)
        REQUIRE(authenticated(authtest("-s imap " + alice + " alice-pw")));
    // A change behind vmaildir's back is seen only when the cached login expires ...
    auto other = vmaildir::hash_password("other-pw", vmaildir::PasswordScheme::ssha);
    REQUIRE(other);
    slapd.modify("dn: mail=alice@example.org,jvd=example.org,o=hosting,dc=example,dc=com\n"
                 "changetype: modify\nreplace: userPassword\nuserPassword: " +
                 *other + "\n");
    // (authdaemond hands each login to whichever worker is free: at least one of them
    // verified alice-pw above, and accepts it again from its cache.)
    int cached = 0;
    for (int i = 0; i < 4; ++i)
        cached += authenticated(authtest("-s imap " + alice + " alice-pw")) ? 1 : 0;
    CHECK(cached > 0);
    // ... one made with vmaildir at once, in every worker.
    write_secret_file(slapd.dir() + "/new.pw", "alice-new");
    run(shell_quote(VMAILDIR_CLI) + " -c " + q(conf) + " account password alice@example.org " +
        "--password-file " + q(slapd.dir() + "/new.pw"));
    for (int i = 0; i < 4; ++i) {
        CHECK(refused(authtest("-s imap " + alice + " alice-pw")));
        CHECK(refused(authtest("-s imap " + alice + " other-pw")));
        CHECK(authenticated(authtest("-s imap " + alice + " alice-new")));
    }
}
