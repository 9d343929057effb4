// Courier IMAP/POP3 and Postfix SMTP AUTH through vmaildir's authlib module:
// a real slapd, a private authdaemond loading libauthvmaildir.so.0, real
// imapd/pop3d, Postfix with Cyrus SASL's authdaemond method, and real clients
// (authtest, curl for IMAP/POP3, swaks).  Runs inside
// tests/integration/courier-namespace (see tests/CMakeLists.txt).
#include <doctest/doctest.h>

#include <fstream>
#include <map>

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
