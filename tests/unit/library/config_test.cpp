// The configuration file (SPEC §6).  Every error a reader can make is a row below, and every
// error message must name the file, the line and the key, so that "a daemon with a broken
// configuration stays up and answers temporary failure, logging why" logs something useful.
// Files the configuration refers to live in a fresh mkdtemp directory per test case.
#include "directory/ldif_backend.hpp"
#include "ldap/settings.hpp"
#include "vmaildir/config/config.hpp"
#include "vmaildir/ldap/profile.hpp"
#include "vmaildir/model/schema.hpp"
#include "vmaildir/service/config_file.hpp"
#include "vmaildir/util/log.hpp"
#include "vmaildir/util/secret_file.hpp"
#include "vmaildir/util/text.hpp"

#include <chrono>
#include <sys/stat.h>
#include <cstdlib>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <unistd.h>
#include <vector>

using vmaildir::AuthMethod;
using vmaildir::Config;
using vmaildir::config_reference;
using vmaildir::ConfigError;
using vmaildir::load_config;
using vmaildir::LogLevel;
using vmaildir::parse_config;
using vmaildir::PasswordScheme;

namespace {

using namespace std::chrono_literals;
using ms = std::chrono::milliseconds;
using secs = std::chrono::seconds;

const std::string source = "test.conf";
const std::string base = "o=hosting,dc=example,dc=com";
const std::string base_line = "search_base = " + base + "\n";

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it.
class TempDir {
public:
    TempDir() {
        const char* tmp = std::getenv("TMPDIR");
        std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/vmaildir-config-XXXXXX";
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    const std::string& path() const noexcept { return path_; }
    /// Writes `content` to `name` inside the directory and returns its full path.
    std::string write(const std::string& name, const std::string& content) const {
        std::string full = path_ + "/" + name;
        std::ofstream out(full, std::ios::binary);
        out << content;
        REQUIRE(out.good());
        out.close();
        chmod(full.c_str(), 0600); // a password file open to all is refused
        return full;
    }

private:
    std::string path_;
};

/// Replaces every "@DIR@" with the directory, so rows can name files in it.
std::string expand(std::string text, const std::string& dir) {
    for (std::size_t at = text.find("@DIR@"); at != std::string::npos;
         at = text.find("@DIR@", at + dir.size()))
        text.replace(at, 5, dir);
    return text;
}

/// The LDAP backend's settings (internal: no adapter can see them, the bind password least).
const vmaildir::ldap::LdapSettings& ldap_of(const Config& c) {
    const auto* s = vmaildir::ldap::ldap_settings(c);
    REQUIRE(s != nullptr);
    return *s;
}

/// The LDIF file the configuration answers from, or "".
std::string ldif_of(const Config& c) {
    const std::string* path = vmaildir::ldif_path(c);
    return path ? *path : std::string();
}

Config parse(const std::string& text, const std::string& base_dir = ".") {
    std::istringstream in(text);
    return parse_config(in, source, base_dir);
}

/// The ConfigError parsing `text` throws; fails the test case when there is none.
std::optional<ConfigError> error_of(const std::string& text, const std::string& base_dir = ".") {
    try {
        (void)parse(text, base_dir);
    } catch (const ConfigError& e) {
        return e;
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// Errors

struct ErrorRow {
    std::string_view name;
    std::string text;    // "@DIR@" stands for the test's temporary directory
    std::size_t line;    // 0: the problem has no line (a required key is missing)
    std::string key;     // "" only for lines that are not key = value at all
    std::string problem; // a part of the message that says what is wrong
};

void check_errors(const std::vector<ErrorRow>& rows) {
    TempDir dir;
    dir.write("secret", "s3cret\n");
    dir.write("empty", "");
    chmod(dir.write("world-readable", "s3cret\n").c_str(), 0644);
    dir.write("blank-first-line", "\nsecond-line\n");
    dir.write("cert.pem", "-----BEGIN CERTIFICATE-----\n");
    dir.write("data.ldif", "dn: " + base + "\n");
    for (const ErrorRow& r : rows) {
        CAPTURE(r.name);
        auto e = error_of(expand(r.text, dir.path()), dir.path());
        CHECK_MESSAGE(e.has_value(), "no ConfigError for:\n" << r.text);
        if (!e)
            continue;
        std::string what = e->what();
        CAPTURE(what);
        CHECK(e->file() == source);
        CHECK(e->line() == r.line);
        CHECK(e->key() == r.key);
        std::string where = source + (r.line ? ":" + std::to_string(r.line) : "") + ": ";
        CHECK(what.rfind(where, 0) == 0); // starts with "FILE:LINE: "
        if (!r.key.empty())
            CHECK(what.find(where + r.key + ": ") == 0);
        CHECK(what.find(expand(r.problem, dir.path())) != std::string::npos);
        CHECK(what.find('\n') == std::string::npos);
        CHECK(what.find("s3cret") == std::string::npos); // never a secret
    }
}

TEST_CASE("config: syntax errors name file, line and key") {
    check_errors({
        {"unknown key", base_line + "serverhost = ldap://a/\n", 2, "serverhost", "unknown key"},
        {"unknown key after comments and blanks", "# comment\n\n" + base_line + "\nfoo = 1\n", 5,
         "foo", "unknown key"},
        {"key names are case-sensitive", base_line + "Timeout = 5\n", 2, "Timeout", "unknown key"},
        {"unknown key with an empty value", base_line + "bogus =\n", 2, "bogus", "unknown key"},
        {"repeated single-valued key", base_line + "timeout = 5\nlog = stderr\ntimeout = 6\n", 4,
         "timeout", "given more than once (first on line 2)"},
        {"a typo names the key meant", base_line + "serverhost = ldap://a/\n", 2, "serverhost",
         "unknown key (did you mean 'server_host'?)"},
        {"two edits away", base_line + "search_bsae = o=x\n", 2, "search_bsae",
         "did you mean 'search_base'?"},
        {"far from every key: no guess", base_line + "frobnicate = 1\n", 2, "frobnicate",
         "unknown key; `vmaildir config-keys` lists every key"},
        {"a comment right after = would empty the value", base_line + "recipient_delimiter = # none\n",
         2, "recipient_delimiter", "write 'recipient_delimiter =' for an empty value"},
        {"a # inside a value is part of it", base_line + "timeout = 3s#x\n", 2, "timeout",
         "unknown time unit"},
        {"repeated search_base", base_line + base_line, 2, "search_base", "more than once"},
        {"line without =", base_line + "\nstart_tls yes\n", 3, "", "start_tls yes"},
        {"bare word", "search_base\n", 1, "", "expected 'key = value'"},
        {"= without a key", base_line + " = value\n", 2, "", "missing key"},
        {"[section] line", base_line + "[ldap]\nserver_host = a\n", 2, "", "[ldap]"},
        {"indented [section] line", base_line + "  [general]  # old style\n", 2, "",
         "sections are not supported"},
    });
}

TEST_CASE("config: bad values name file, line and key") {
    check_errors({
        // booleans
        {"bool: maybe", base_line + "start_tls = maybe\n", 2, "start_tls", "expected yes or no"},
        {"bool: empty", base_line + "tls_require_cert =\n", 2, "tls_require_cert",
         "expected yes or no"},
        {"bool: case_sensitive_local_part", base_line + "case_sensitive_local_part = 2\n", 2,
         "case_sensitive_local_part", "expected yes or no"},
        {"bool: anonymous_read", base_line + "anonymous_read = sure\n", 2, "anonymous_read",
         "expected yes or no"},
        // numbers
        {"number: pool_size 0", base_line + "pool_size = 0\n", 2, "pool_size", "from 1 to 1024"},
        {"number: pool_size 1025", base_line + "pool_size = 1025\n", 2, "pool_size",
         "from 1 to 1024"},
        {"number: server_port 65536", base_line + "server_port = 65536\n", 2, "server_port",
         "from 1 to 65535"},
        {"number: server_port 0", base_line + "server_port = 0\n", 2, "server_port",
         "from 1 to 65535"},
        {"number: negative", base_line + "size_limit = -1\n", 2, "size_limit", "expected a number"},
        {"number: words", base_line + "recursion_limit = many\n", 2, "recursion_limit",
         "expected a number"},
        {"number: trailing garbage", base_line + "auth_pool_size = 2x\n", 2, "auth_pool_size",
         "expected a number"},
        {"number: exponent", base_line + "cache_size = 1e3\n", 2, "cache_size",
         "expected a number"},
        {"number: overflows unsigned long",
         base_line + "expansion_limit = 99999999999999999999999\n", 2, "expansion_limit",
         "expected a number"},
        {"number: static_uid 0 (root)", base_line + "static_uid = 0\n", 2, "static_uid",
         "from 1 to"},
        {"number: static_gid too large", base_line + "static_gid = 4294967295\n", 2, "static_gid",
         "from 1 to"},
        {"number: empty", base_line + "size_limit =\n", 2, "size_limit", "expected a number"},
        // durations
        {"duration: unknown unit", base_line + "timeout = 10x\n", 2, "timeout",
         "unknown time unit"},
        {"duration: weeks", base_line + "cache_ttl = 2w\n", 2, "cache_ttl", "unknown time unit"},
        {"duration: unit in words", base_line + "connect_timeout = 5 seconds\n", 2,
         "connect_timeout", "unknown time unit"},
        {"duration: upper-case unit", base_line + "timeout = 10S\n", 2, "timeout",
         "unknown time unit"},
        {"duration: no number", base_line + "timeout = s\n", 2, "timeout", "expected a time"},
        {"duration: negative timeout", base_line + "timeout = -5\n", 2, "timeout",
         "expected a time"},
        {"duration: negative connect_timeout", base_line + "connect_timeout = -1s\n", 2,
         "connect_timeout", "expected a time"},
        {"duration: fraction", base_line + "timeout = 1.5s\n", 2, "timeout", "unknown time unit"},
        {"duration: absurdly large", base_line + "cache_ttl = 99999999999999999999d\n", 2,
         "cache_ttl", "expected a time"},
        {"duration: days beyond the clock's range", base_line + "timeout = 10000000d\n", 2,
         "timeout", "at most 3650d"},
        {"duration: hours beyond ten years", base_line + "cache_ttl = 87601h\n", 2, "cache_ttl",
         "at most 3650d"},
        {"duration: one day over ten years", base_line + "cache_stale_ttl = 3651d\n", 2,
         "cache_stale_ttl", "at most 3650d"},
        {"duration: zero timeout", base_line + "timeout = 0\n", 2, "timeout", "more than 0"},
        {"duration: zero ms timeout", base_line + "timeout = 0ms\n", 2, "timeout", "more than 0"},
        {"duration: zero connect_timeout", base_line + "connect_timeout = 0s\n", 2,
         "connect_timeout", "more than 0"},
        {"duration: empty", base_line + "cache_negative_ttl =\n", 2, "cache_negative_ttl",
         "expected a time"},
        // names from fixed sets
        {"unknown schema preset", base_line + "schema = openldap\n", 2, "schema",
         "unknown preset 'openldap'"},
        {"empty schema preset", "schema =\n" + base_line, 1, "schema", "unknown preset"},
        {"unknown password scheme", base_line + "password_scheme = MD5\n", 2, "password_scheme",
         "unknown scheme 'MD5'"},
        {"unknown auth_method", base_line + "auth_method = plain\n", 2, "auth_method",
         "expected bind or compare"},
        {"bad log level", base_line + "log_level = verbose\n", 2, "log_level",
         "'verbose' is not a level: expected debug, info, warning or error"},
        {"bad log facility", base_line + "log_facility = local8\n", 2, "log_facility",
         "unknown syslog facility 'local8'"},
        {"bad log target", base_line + "log = /var/log/vmaildir.log\n", 2, "log",
         "expected syslog or stderr"},
        // DNs, URIs, domains
        {"search_base not a DN", "search_base = example.com\n", 1, "search_base", "not a DN"},
        {"search_base blank", "search_base =   \n", 1, "search_base", "not a DN"},
        {"search_base filter text", "search_base = (objectClass=*)\n", 1, "search_base",
         "not a DN"},
        {"site_admins: bad DN on its second line",
         base_line + "site_admins = cn=admin," + base + "\nsite_admins = admin\n", 3, "site_admins",
         "not a DN"},
        {"site_admin_group not a DN", base_line + "site_admin_group = admins\n", 2,
         "site_admin_group", "not a DN"},
        {"server_host: http URI", base_line + "server_host = http://ldap.example.com/\n", 2,
         "server_host", "not an ldap://"},
        {"server_host: port out of range", base_line + "server_host = ldap://a:99999/\n", 2,
         "server_host", "port 99999 is not in 1-65535"},
        {"server_host: name with a port out of range", base_line + "server_host = a:70000\n", 2,
         "server_host", "port 70000"},
        {"server_host: port not a number", base_line + "server_host = ldap://a:38x9/\n", 2,
         "server_host", "not a valid LDAP URI"},
        {"server_host: bad item among good ones",
         base_line + "server_host = ldap://a/ ldapx://b/\n", 2, "server_host", "ldapx://b/"},
        {"server_host: bad URI on its second line",
         base_line + "server_host = ldaps://a/\nserver_host = ftp://b/\n", 3, "server_host",
         "ftp://b/"},
        {"server_host: empty", base_line + "server_host =\n", 2, "server_host", "no server given"},
        {"server_host: a name that starts like a loopback address",
         base_line + "server_host = ldap://127.example.com/\n", 2, "server_host",
         "is off this host and start_tls is off"},
        {"server_host: off this host in the clear",
         base_line + "server_host = ldap://127.0.0.1/\nserver_host = ldap.example.com\n", 3,
         "server_host", "'ldap://ldap.example.com:389/' is off this host and start_tls is off"},
        {"server_host: port 0 (libldap reads it as 389)",
         base_line + "server_host = ldap://127.0.0.1:0/\n", 2, "server_host",
         "port 0 is not in 1-65535"},
        {"server_host: name with port 0", base_line + "server_host = a:00\n", 2, "server_host",
         "port 0 is not in 1-65535"},
        {"server_host: ldapi with a raw path (libldap reads it as a DN)",
         base_line + "server_host = ldapi:///run/slapd/ldapi\n", 2, "server_host",
         "each / written %2F"},
        {"server_host: a DN in the URI", base_line + "server_host = ldap://a/dc=example\n", 2,
         "server_host", "the DN part of the URI is not used"},
        {"default_domain: space", base_line + "default_domain = exa mple.org\n", 2,
         "default_domain", "not a domain name"},
        {"default_domain: address", base_line + "default_domain = bob@example.org\n", 2,
         "default_domain", "not a domain name"},
        {"default_domain: empty label", base_line + "default_domain = example..org\n", 2,
         "default_domain", "not a domain name"},
        {"recipient_delimiter: @", base_line + "recipient_delimiter = +@\n", 2,
         "recipient_delimiter", "other than @"},
        {"recipient_delimiter: non-ASCII", base_line + "recipient_delimiter = \xC2\xA7\n", 2,
         "recipient_delimiter", "printable ASCII"},
        {"recipient_delimiter: inner space", base_line + "recipient_delimiter = + -\n", 2,
         "recipient_delimiter", "printable ASCII"},
        {"default_transport empty", base_line + "default_transport =\n", 2, "default_transport",
         "must not be empty"},
    });
}

TEST_CASE("config: cross-key errors name the key to fix") {
    check_errors({
        {"missing search_base", "server_host = ldap://a/\n", 0, "search_base", "required"},
        {"empty file", "", 0, "search_base", "required"},
        {"bind_dn without bind_pw_file", base_line + "bind_dn = cn=vmaildir," + base + "\n", 2,
         "bind_dn", "needs bind_pw_file"},
        {"bind_pw_file without bind_dn", base_line + "bind_pw_file = secret\n", 2, "bind_pw_file",
         "bind_dn is empty"},
        {"bind_pw_file missing", base_line + "bind_dn = cn=x\nbind_pw_file = @DIR@/nonexistent\n",
         3, "bind_pw_file", "cannot read '@DIR@/nonexistent'"},
        {"bind_pw_file relative and missing", base_line + "bind_dn = cn=x\nbind_pw_file = nope\n",
         3, "bind_pw_file", "cannot read"},
        {"bind_pw_file is a directory", base_line + "bind_dn = cn=x\nbind_pw_file = @DIR@\n", 3,
         "bind_pw_file", "is not a regular file (a directory)"},
        {"bind_pw_file readable by every user",
         base_line + "bind_dn = cn=x\nbind_pw_file = world-readable\n", 3, "bind_pw_file",
         "open to every user (mode 0644)"},
        {"bind_pw_file empty", base_line + "bind_dn = cn=x\nbind_pw_file = empty\n", 3,
         "bind_pw_file", "is empty"},
        {"bind_pw_file with an empty first line",
         base_line + "bind_dn = cn=x\nbind_pw_file = blank-first-line\n", 3, "bind_pw_file",
         "is empty"},
        {"sasl_mech with bind_dn",
         base_line + "bind_dn = cn=x\nbind_pw_file = secret\nsasl_mech = EXTERNAL\n", 4,
         "sasl_mech", "bind_dn"},
        {"tls_cert_file without tls_key_file", base_line + "tls_cert_file = cert.pem\n", 2,
         "tls_cert_file", "go together"},
        {"tls_key_file without tls_cert_file", base_line + "\ntls_key_file = cert.pem\n", 3,
         "tls_key_file", "go together"},
        {"tls_ca_file a directory", base_line + "tls_ca_file = @DIR@\n", 2, "tls_ca_file",
         "is a directory"},
        {"tls_ca_dir missing", base_line + "tls_ca_dir = @DIR@/no-certs\n", 2, "tls_ca_dir",
         "is not a directory"},
        {"bind_dn not a DN", base_line + "bind_dn = vmaildir\nbind_pw_file = secret\n", 2,
         "bind_dn", "'vmaildir' is not a DN"},
        {"empty mailbox_attribute", base_line + "mailbox_attribute =\n", 2, "mailbox_attribute",
         "must not be empty"},
        {"attribute name with a blank", base_line + "quota_attribute = mail quota\n", 2,
         "quota_attribute", "not an attribute or objectClass name"},
        {"objectClass name starting with a digit", base_line + "alias_object_class = 1alias\n", 2,
         "alias_object_class", "not an attribute or objectClass name"},
        {"postmaster_rdn not an RDN", base_line + "postmaster_rdn = postmaster\n", 2,
         "postmaster_rdn", "not an RDN"},
        {"tls_ca_file unreadable", base_line + "tls_ca_file = @DIR@/no-ca.pem\n", 2, "tls_ca_file",
         "cannot read '@DIR@/no-ca.pem'"},
        {"tls_cert_file unreadable",
         base_line + "tls_cert_file = no-cert.pem\ntls_key_file = cert.pem\n", 2, "tls_cert_file",
         "cannot read"},
        {"tls_key_file unreadable",
         base_line + "tls_cert_file = cert.pem\ntls_key_file = no-key.pem\n", 3, "tls_key_file",
         "cannot read"},
        {"static_uid below minimum_uid", base_line + "static_uid = 99\n", 2, "static_uid",
         "99 is below minimum_uid (100)"},
        {"new_account_uid's default below a raised minimum_uid",
         base_line + "minimum_uid = 10000\n", 0, "new_account_uid",
         "5000 is below minimum_uid (10000)"},
        {"replica with ldif_file", base_line + "ldif_file = data.ldif\nreplica = store\n", 3,
         "replica", "cannot be combined with ldif_file (line 2)"},
        {"ldif_file unreadable", base_line + "ldif_file = missing.ldif\n", 2, "ldif_file",
         "cannot read '@DIR@/missing.ldif'"},
        {"empty domain_object_class", base_line + "domain_object_class =\n", 2,
         "domain_object_class", "must not be empty"},
        {"empty account_address_attribute", base_line + "account_address_attribute =  \n", 2,
         "account_address_attribute", "must not be empty"},
        {"empty alias_destination_attribute with a preset after it",
         base_line + "alias_destination_attribute =\nschema = courier\n", 2,
         "alias_destination_attribute", "must not be empty"},
        {"empty catchall_local_part for mailrouter",
         base_line + "schema = mailrouter\ncatchall_local_part =\n", 3, "catchall_local_part",
         "must not be empty"},
    });
}

// ---------------------------------------------------------------------------------------------
// Happy paths

TEST_CASE("config: defaults") {
    Config c = parse(base_line);
    CHECK(c.path == source);
    CHECK(c.search_base == base);
    CHECK(ldap_of(c).profile.servers == std::vector<std::string>{"ldap://localhost/"});
    CHECK(ldap_of(c).profile.bind_dn.empty());
    CHECK(ldap_of(c).bind_password.empty());
    CHECK(ldap_of(c).profile.sasl_mech.empty());
    CHECK_FALSE(ldap_of(c).profile.start_tls);
    CHECK(ldap_of(c).profile.tls_require_cert);
    CHECK(ldap_of(c).connect_timeout == ms(5000));
    CHECK(ldap_of(c).pool_size == 8);
    CHECK(ldap_of(c).auth_pool_size == 2);
    CHECK(ldif_of(c).empty());
    CHECK(c.timeout == ms(10000));
    CHECK(c.size_limit == 100);
    CHECK(c.schema.preset == "jamm");
    CHECK(c.schema.domain_object_class == "JammVirtualDomain");
    CHECK(c.address.delimiters == "+");
    CHECK_FALSE(c.address.case_sensitive_local_part);
    CHECK(c.default_transport == "virtual:");
    CHECK_FALSE(c.static_uid.has_value());
    CHECK_FALSE(c.static_gid.has_value());
    CHECK(c.edit_accounts_default);
    CHECK_FALSE(c.edit_postmasters_default);
    CHECK(c.recursion_limit == 20);
    CHECK(c.expansion_limit == 1000);
    CHECK(c.cache.positive_ttl == secs(60));
    CHECK(c.cache.negative_ttl == secs(30));
    CHECK(c.cache.stale_ttl == secs(0));
    CHECK(c.cache.max_entries == 100000);
    CHECK(c.auth.method == AuthMethod::bind);
    CHECK(c.auth.scheme == PasswordScheme::sha512_crypt);
    CHECK_FALSE(c.auth.allow_cleartext);
    CHECK(c.auth.default_domain.empty());
    CHECK(c.auth.cache_ttl == secs(60));
    CHECK(c.acl.anonymous_read);
    CHECK_FALSE(c.acl.domain_admin_sets_quota);
    CHECK(c.site_admins.empty());
    CHECK(c.site_admin_group.empty()); // jamm has no site admin group
    CHECK(c.log_target == "syslog");
    CHECK(c.log_facility == "mail");
    CHECK(c.log_level == LogLevel::info);
}

TEST_CASE("config: every key set") {
    TempDir dir;
    dir.write("pw", "s3cret\r\nignored second line\n");
    dir.write("ca.pem", "ca");
    dir.write("data.ldif", "dn: " + base + "\n");
    Config c = parse(base_line +
                         "server_host = ldaps://ldap1.example.com/\n"
                         "server_port = 1636\n"
                         "bind_dn = cn=vmaildir," +
                         base +
                         "\n"
                         "bind_pw_file = pw\n"
                         "sasl_authz_id = dn:cn=proxy\n"
                         "start_tls = TRUE\n"
                         "tls_ca_file = ca.pem\n"
                         "tls_ca_dir = /etc/ssl/certs\n"
                         "tls_cert_file = ca.pem\n"
                         "tls_key_file = ca.pem\n"
                         "tls_require_cert = off\n"
                         "timeout = 30s\n"
                         "connect_timeout = 3s\n"
                         "size_limit = 7\n"
                         "pool_size = 8\n"
                         "auth_pool_size = 3\n"
                         "ldif_file = data.ldif\n"
                         "recipient_delimiter = +-\n"
                         "case_sensitive_local_part = yes\n"
                         "default_transport = lmtp:unix:private/dovecot-lmtp\n"
                         "static_uid = 5000\n"
                         "static_gid = 5001\n"
                         "edit_accounts_default = no\n"
                         "edit_postmasters_default = yes\n"
                         "recursion_limit = 5\n"
                         "expansion_limit = 50\n"
                         "cache_ttl = 2m\n"
                         "cache_negative_ttl = 10\n"
                         "cache_stale_ttl = 1h\n"
                         "cache_size = 0\n"
                         "auth_method = Compare\n"
                         "password_scheme = ssha512\n"
                         "allow_cleartext_passwords = 1\n"
                         "auth_cache_ttl = 5m\n"
                         "default_domain = Example.ORG.\n"
                         "site_admins = cn=alice," +
                         base +
                         "\n"
                         "site_admins =\n"
                         "site_admins = cn=bob," +
                         base +
                         "\n"
                         "site_admin_group = cn=admins," +
                         base +
                         "\n"
                         "anonymous_read = no\n"
                         "domain_admin_sets_quota = on\n"
                         "log = STDERR\n"
                         "log_facility = Local3\n"
                         "log_level = debug\n",
                     dir.path());
    CHECK(ldap_of(c).profile.servers == std::vector<std::string>{"ldaps://ldap1.example.com/"});
    CHECK(ldap_of(c).profile.bind_dn == "cn=vmaildir," + base);
    CHECK(ldap_of(c).bind_password == "s3cret");
    CHECK(ldap_of(c).profile.sasl_authz_id == "dn:cn=proxy");
    CHECK(ldap_of(c).profile.start_tls);
    CHECK(ldap_of(c).profile.tls_ca_file == dir.path() + "/ca.pem");
    CHECK(ldap_of(c).profile.tls_ca_dir == "/etc/ssl/certs");
    CHECK(ldap_of(c).profile.tls_cert_file == dir.path() + "/ca.pem");
    CHECK(ldap_of(c).profile.tls_key_file == dir.path() + "/ca.pem");
    CHECK_FALSE(ldap_of(c).profile.tls_require_cert);
    CHECK(c.timeout == ms(30000));
    CHECK(ldap_of(c).connect_timeout == ms(3000));
    CHECK(c.size_limit == 7);
    CHECK(ldap_of(c).pool_size == 8);
    CHECK(ldap_of(c).auth_pool_size == 3);
    CHECK(ldif_of(c) == dir.path() + "/data.ldif");
    CHECK(c.directory.backend == "ldif");
    CHECK(c.address.delimiters == "+-");
    CHECK(c.address.case_sensitive_local_part);
    CHECK(c.default_transport == "lmtp:unix:private/dovecot-lmtp");
    CHECK(c.static_uid == 5000UL);
    CHECK(c.static_gid == 5001UL);
    CHECK_FALSE(c.edit_accounts_default);
    CHECK(c.edit_postmasters_default);
    CHECK(c.recursion_limit == 5);
    CHECK(c.expansion_limit == 50);
    CHECK(c.cache.positive_ttl == secs(120));
    CHECK(c.cache.negative_ttl == secs(10));
    CHECK(c.cache.stale_ttl == secs(3600));
    CHECK(c.cache.max_entries == 0);
    CHECK(c.auth.method == AuthMethod::compare);
    CHECK(c.auth.scheme == PasswordScheme::ssha512);
    CHECK(c.auth.allow_cleartext);
    CHECK(c.auth.default_domain == "example.org");
    CHECK(c.auth.cache_ttl == secs(300));
    CHECK(c.site_admins == std::vector<std::string>{"cn=alice," + base, "cn=bob," + base});
    CHECK(c.site_admin_group == "cn=admins," + base);
    CHECK_FALSE(c.acl.anonymous_read);
    CHECK(c.acl.domain_admin_sets_quota);
    CHECK(c.log_target == "stderr");
    CHECK(c.log_facility == "local3");
    CHECK(c.log_level == LogLevel::debug);
}

TEST_CASE("config: presets") {
    struct Row {
        std::string_view name;
        std::string text;
        std::string preset;
        std::string domain_object_class;
        std::string account_address_attribute;
        std::string site_admin_group;
    };
    const std::vector<Row> rows = {
        {"jamm by name", base_line + "schema = jamm\n", "jamm", "JammVirtualDomain", "mail", ""},
        {"courier", base_line + "schema = courier\n", "courier", "organization", "mail", ""},
        {"mailrouter: site_admin_group defaults below search_base",
         base_line + "schema = mailrouter\n", "mailrouter", "mailDomain", "uid",
         "cn=admin," + base},
        {"preset names ignore case", "schema = MailRouter\n" + base_line, "mailrouter",
         "mailDomain", "uid", "cn=admin," + base},
        {"mailrouter: explicit site_admin_group wins",
         base_line + "schema = mailrouter\nsite_admin_group = cn=staff," + base + "\n",
         "mailrouter", "mailDomain", "uid", "cn=staff," + base},
        {"mailrouter: site_admin_group_rdn override moves the default",
         base_line + "site_admin_group_rdn = cn=root\nschema = mailrouter\n", "mailrouter",
         "mailDomain", "uid", "cn=root," + base},
        {"jamm: a site_admin_group_rdn creates a default",
         base_line + "site_admin_group_rdn = cn=admin\n", "jamm", "JammVirtualDomain", "mail",
         "cn=admin," + base},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Config c = parse(r.text);
        CHECK(c.schema.preset == r.preset);
        CHECK(c.schema.domain_object_class == r.domain_object_class);
        CHECK(c.schema.account_address_attribute == r.account_address_attribute);
        CHECK(c.site_admin_group == r.site_admin_group);
        // The preset arrives whole: compare with the library's own definition.
        auto preset = vmaildir::preset_schema(r.preset);
        REQUIRE(preset.has_value());
        CHECK(c.schema.alias_destination_attribute == preset->alias_destination_attribute);
        CHECK(c.schema.mailbox_attribute == preset->mailbox_attribute);
        CHECK(c.schema.address_form == preset->address_form);
    }
}

TEST_CASE("config: per-name schema overrides apply on top of the preset, in any order") {
    struct Row {
        std::string_view name;
        std::string text;
    };
    const std::vector<Row> rows = {
        {"override after schema",
         base_line + "schema = courier\ndomain_attribute = dc\nmailbox_attribute = maildir\n"},
        {"override before schema",
         "domain_attribute = dc\nmailbox_attribute = maildir\nschema = courier\n" + base_line},
        {"schema between overrides",
         "domain_attribute = dc\n" + base_line + "schema = courier\nmailbox_attribute = maildir\n"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Config c = parse(r.text);
        CHECK(c.schema.preset == "courier");
        CHECK(c.schema.domain_attribute == "dc");
        CHECK(c.schema.mailbox_attribute == "maildir");
        // Everything not overridden is the preset's.
        CHECK(c.schema.domain_object_class == "organization");
        CHECK(c.schema.alias_object_class == "CourierMailAlias");
    }
    // Every schema key is accepted and lands in its member.
    for (const vmaildir::SchemaKey& sk : vmaildir::schema_keys()) {
        CAPTURE(sk.key);
        // A name where the key names an attribute or class, an RDN where it names one.
        const std::string value =
            std::string_view(sk.key).ends_with("_rdn") ? "cn=overridden" : "overriddenName";
        Config c = parse(base_line + sk.key + " = " + value + "\n");
        CHECK(c.schema.*(sk.member) == value);
    }
    // An OID names an attribute too.
    CHECK(parse(base_line + "quota_attribute = 1.3.6.1.4.1.99999.1.1.5\n").schema.quota_attribute ==
          "1.3.6.1.4.1.99999.1.1.5");
    // An optional name may be emptied (the layout then has no such attribute).
    CHECK(parse(base_line + "active_attribute =\n").schema.active_attribute.empty());
}

TEST_CASE("config: servers on this host, or encrypted, need no allow_cleartext_ldap") {
    for (const char* server : {"ldap://localhost/", "ldap://127.0.0.1/", "ldap://127.1.2.3:1389/",
                               "ldap://[::1]:389/", "ldaps://ldap.example.com/",
                               "ldapi://%2Frun%2Fslapd%2Fldapi/", "localhost"}) {
        CAPTURE(server);
        CHECK_NOTHROW(parse(base_line + "server_host = " + server + "\n"));
    }
    CHECK_NOTHROW(parse(base_line + "server_host = ldap://ldap.example.com/\nstart_tls = yes\n"));
    CHECK_NOTHROW(
        parse(base_line + "server_host = ldap://ldap.example.com/\nallow_cleartext_ldap = yes\n"));
}

TEST_CASE("config: server_host forms") {
    using V = std::vector<std::string>;
    struct Row {
        std::string_view name;
        std::string lines;
        V servers;
    };
    const std::vector<Row> rows = {
        {"one URI", "server_host = ldap://ldap.example.com/\n", {"ldap://ldap.example.com/"}},
        {"URI with port",
         "server_host = ldap://ldap.example.com:1389/\n",
         {"ldap://ldap.example.com:1389/"}},
        {"ldaps URI", "server_host = ldaps://ldap.example.com/\n", {"ldaps://ldap.example.com/"}},
        {"ldapi URI",
         "server_host = ldapi://%2Frun%2Fslapd%2Fldapi/\n",
         {"ldapi://%2Frun%2Fslapd%2Fldapi/"}},
        {"scheme case ignored", "server_host = LDAP://a/\n", {"LDAP://a/"}},
        {"host name", "server_host = ldap.example.com\n", {"ldap://ldap.example.com:389/"}},
        {"host name with server_port",
         "server_host = ldap.example.com\nserver_port = 1389\n",
         {"ldap://ldap.example.com:1389/"}},
        {"server_port before server_host",
         "server_port = 1389\nserver_host = a\n",
         {"ldap://a:1389/"}},
        {"host:port",
         "server_host = a.example.com:1390\nserver_port = 1389\n",
         {"ldap://a.example.com:1390/"}},
        {"IP address", "server_host = 127.0.0.1\n", {"ldap://127.0.0.1:389/"}},
        {"several per line, spaces",
         "server_host = ldap://a/ ldap://b/\n",
         {"ldap://a/", "ldap://b/"}},
        {"several per line, commas and tabs",
         "server_host = a,b\tldaps://c/ , d:10\n",
         {"ldap://a:389/", "ldap://b:389/", "ldaps://c/", "ldap://d:10/"}},
        {"repeated lines keep their order",
         "server_host = ldap://a/\nserver_host = b\nserver_host = ldap://c/ ldap://d/\n",
         {"ldap://a/", "ldap://b:389/", "ldap://c/", "ldap://d/"}},
        {"server_port alone", "server_port = 1389\n", {"ldap://localhost:1389/"}},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(ldap_of(parse(base_line + "allow_cleartext_ldap = yes\n" + r.lines))
                  .profile.servers == r.servers);
    }
}

TEST_CASE("config: durations") {
    struct Row {
        std::string_view name;
        std::string value;
        ms timeout;
    };
    const std::vector<Row> rows = {
        {"bare number is seconds", "10", ms(10000)},
        {"seconds", "10s", ms(10000)},
        {"milliseconds", "500ms", ms(500)},
        {"minutes", "2m", ms(120000)},
        {"hours", "1h", ms(3600000)},
        {"days", "1d", ms(86400000)},
        {"blanks around", "  7s  ", ms(7000)},
        {"leading zeros", "007", ms(7000)},
        {"ten years, the longest", "3650d", ms(3650LL * 86400000)},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Config c = parse(base_line + "timeout = " + r.value + "\nconnect_timeout = " + r.value +
                         "\ncache_ttl = " + r.value + "\n");
        CHECK(c.timeout == r.timeout);
        CHECK(ldap_of(c).connect_timeout == r.timeout);
        CHECK(c.cache.positive_ttl == r.timeout); // sub-second TTLs are kept, not truncated
    }
}

TEST_CASE("config: connect_timeout never exceeds timeout") {
    struct Row {
        std::string_view name;
        std::string lines;
        ms connect;
    };
    const std::vector<Row> rows = {
        {"default 5s clamped to a 2s timeout", "timeout = 2s\n", ms(2000)},
        {"explicit larger value clamped", "timeout = 1s\nconnect_timeout = 1m\n", ms(1000)},
        {"smaller value kept", "timeout = 1s\nconnect_timeout = 500ms\n", ms(500)},
        {"equal value kept", "connect_timeout = 10s\n", ms(10000)},
        {"default kept under the default timeout", "", ms(5000)},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(ldap_of(parse(base_line + r.lines)).connect_timeout == r.connect);
    }
}

TEST_CASE("config: comments, blanks and line endings") {
    struct Row {
        std::string_view name;
        std::string text;
    };
    const std::vector<Row> rows = {
        {"full-line and trailing comments",
         "# vmaildir.conf\n\n   # indented comment\nsearch_base = " + base +
             "   # the tree\ntimeout = 3s\t# a tab before it\n"},
        {"a byte order mark", "\xEF\xBB\xBFsearch_base = " + base + "\ntimeout = 3s\n"},
        {"CRLF line endings", "search_base = " + base + "\r\ntimeout = 3s\r\n\r\n"},
        {"no spaces around =", "search_base=" + base + "\ntimeout=3s"},
        {"tabs", "\tsearch_base\t=\t" + base + "\t\ntimeout\t= 3s\n"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Config c = parse(r.text);
        CHECK(c.search_base == base);
        CHECK(c.timeout == ms(3000));
    }
}

TEST_CASE("config: bind_pw_file is resolved against the configuration's directory") {
    TempDir dir;
    dir.write("bind.pw", "s3cret\n");
    const std::string bind = base_line + "bind_dn = cn=vmaildir," + base + "\n";

    SUBCASE("relative, parse_config base_dir") {
        Config c = parse(bind + "bind_pw_file = bind.pw\n", dir.path());
        CHECK(ldap_of(c).bind_password == "s3cret");
    }
    SUBCASE("relative, not found against another base_dir") {
        TempDir other;
        auto e = error_of(bind + "bind_pw_file = bind.pw\n", other.path());
        REQUIRE(e.has_value());
        CHECK(e->key() == "bind_pw_file");
        CHECK(std::string(e->what()).find(other.path() + "/bind.pw") != std::string::npos);
    }
    SUBCASE("absolute, base_dir ignored") {
        TempDir other;
        Config c = parse(bind + "bind_pw_file = " + dir.path() + "/bind.pw\n", other.path());
        CHECK(ldap_of(c).bind_password == "s3cret");
    }
    SUBCASE("load_config takes the directory from the file's path") {
        std::string conf = dir.write("vmaildir.conf", bind + "bind_pw_file = bind.pw\n");
        Config c = load_config(conf);
        CHECK(c.path == conf);
        CHECK(ldap_of(c).bind_password == "s3cret");
    }
    SUBCASE("a password keeps inner and trailing blanks, loses its line end") {
        dir.write("spaced.pw", " pass word \r\n");
        Config c = parse(bind + "bind_pw_file = spaced.pw\n", dir.path());
        CHECK(ldap_of(c).bind_password == " pass word ");
    }
}

TEST_CASE("config: the public API hands out the password file, never the password") {
    TempDir dir;
    dir.write("bind.pw", "s3cret\n");
    Config c = parse(base_line + "bind_dn = cn=vmaildir," + base + "\nbind_pw_file = bind.pw\n",
                     dir.path());
    REQUIRE(ldap_of(c).bind_password == "s3cret"); // inside the backend
    auto profile = vmaildir::ldap_profile(c);
    REQUIRE(profile.has_value());
    CHECK(profile->bind_dn == "cn=vmaildir," + base);
    CHECK(profile->bind_pw_file == dir.path() + "/bind.pw");
    for (const std::string* field :
         {&profile->bind_dn, &profile->bind_pw_file, &profile->sasl_mech, &profile->sasl_authz_id,
          &profile->tls_ca_file, &profile->tls_ca_dir, &profile->tls_cert_file,
          &profile->tls_key_file})
        CHECK(field->find("s3cret") == std::string::npos);
    for (const std::string& server : profile->servers)
        CHECK(server.find("s3cret") == std::string::npos);
    // A default-constructed Config (a broken service's) has no LDAP settings at all.
    CHECK_FALSE(vmaildir::ldap_profile(Config{}).has_value());
}

TEST_CASE("config: a bind_pw_file without read permission") {
    // Root reads anything, so this row only means something for an unprivileged user (CI).
    if (::geteuid() == 0) {
        MESSAGE("running as root: a mode 0000 file is still readable, row not applicable");
        return;
    }
    TempDir dir;
    std::string pw = dir.write("locked.pw", "s3cret\n");
    std::filesystem::permissions(pw, std::filesystem::perms::none);
    auto e = error_of(base_line + "bind_dn = cn=x\nbind_pw_file = locked.pw\n", dir.path());
    REQUIRE(e.has_value());
    CHECK(e->line() == 3);
    CHECK(e->key() == "bind_pw_file");
    CHECK(std::string(e->what()).find("cannot read '" + pw + "'") != std::string::npos);
}

TEST_CASE("config: a # inside a value is kept; bytes of a key are shown escaped") {
    Config c = parse(base_line + "recipient_delimiter =#\nsite_admin_group = cn=#04024869," + base +
                     " # hex-string RDN\n");
    CHECK(c.address.delimiters == "#");
    CHECK(c.site_admin_group == "cn=#04024869," + base);
    auto e = error_of(base_line + std::string("time\0out", 8) + " = 5s\n");
    REQUIRE(e.has_value());
    CHECK(std::string(e->what()).find("time\\x00out: unknown key") != std::string::npos);
}

TEST_CASE("config: load_config errors name the file") {
    TempDir dir;
    SUBCASE("missing file") {
        std::string path = dir.path() + "/nonexistent.conf";
        try {
            (void)load_config(path);
            FAIL("no ConfigError");
        } catch (const ConfigError& e) {
            CHECK(e.file() == path);
            CHECK(e.line() == 0);
            CHECK(std::string(e.what()).rfind(path + ": ", 0) == 0);
        }
    }
    SUBCASE("a directory") {
        try {
            (void)load_config(dir.path());
            FAIL("no ConfigError");
        } catch (const ConfigError& e) {
            CHECK(std::string(e.what()) ==
                  dir.path() + ": is a directory, not a configuration file");
        }
    }
    SUBCASE("error inside a file") {
        std::string path = dir.write("bad.conf", base_line + "\nfrobnicate = yes\n");
        try {
            (void)load_config(path);
            FAIL("no ConfigError");
        } catch (const ConfigError& e) {
            CHECK(e.file() == path);
            CHECK(e.line() == 3);
            CHECK(e.key() == "frobnicate");
            CHECK(std::string(e.what()) ==
                  path + ":3: frobnicate: unknown key; `vmaildir config-keys` lists every key");
        }
    }
}

TEST_CASE("config: sasl_mech without bind_dn") {
    Config c = parse(base_line + "server_host = ldapi:///\nsasl_mech = EXTERNAL\n");
    CHECK(ldap_of(c).profile.sasl_mech == "EXTERNAL");
    CHECK(ldap_of(c).profile.bind_dn.empty());
    CHECK(ldap_of(c).profile.servers == std::vector<std::string>{"ldapi:///"});
}

TEST_CASE("config: log_facility accepts exactly the facilities the syslog logger knows") {
    struct Row {
        std::string_view name;
        std::string facility;
        bool valid;
    };
    const std::vector<Row> rows = {
        {"mail", "mail", true},
        {"daemon", "daemon", true},
        {"auth", "auth", true},
        {"authpriv", "authpriv", true},
        {"user", "user", true},
        {"local0", "local0", true},
        {"local7", "local7", true},
        {"upper case", "MAIL", true},
        {"kern", "kern", false},
        {"local8", "local8", false},
        {"empty", "", false},
        {"number", "16", false},
        {"LOG_ prefix", "LOG_MAIL", false},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        auto e = error_of(base_line + "log_facility = " + r.facility + "\n");
        CHECK(!e.has_value() == r.valid);
        if (r.valid)
            CHECK(parse(base_line + "log_facility = " + r.facility + "\n").log_facility ==
                  vmaildir::util::ascii_lower(r.facility));
        // The logger that will be built from the value agrees (it lower-cases nothing itself).
        std::string lowered = vmaildir::util::ascii_lower(r.facility);
        CHECK((vmaildir::make_syslog_logger("vmaildir-test", lowered) != nullptr) == r.valid);
    }
}

TEST_CASE("config: config_reference() documents every key") {
    const std::string ref = config_reference();
    // The keys a reader of ldap_table(5) and the SPEC expects, plus every schema override.
    std::set<std::string> expected = {"server_host",
                                      "server_port",
                                      "search_base",
                                      "bind_dn",
                                      "bind_pw_file",
                                      "sasl_mech",
                                      "sasl_authz_id",
                                      "start_tls",
                                      "tls_ca_file",
                                      "tls_ca_dir",
                                      "tls_cert_file",
                                      "tls_key_file",
                                      "tls_require_cert",
                                      "timeout",
                                      "connect_timeout",
                                      "size_limit",
                                      "pool_size",
                                      "auth_pool_size",
                                      "ldif_file",
                                      "schema",
                                      "recipient_delimiter",
                                      "case_sensitive_local_part",
                                      "default_transport",
                                      "static_uid",
                                      "static_gid",
                                      "edit_accounts_default",
                                      "edit_postmasters_default",
                                      "recursion_limit",
                                      "expansion_limit",
                                      "cache_ttl",
                                      "cache_negative_ttl",
                                      "cache_stale_ttl",
                                      "cache_size",
                                      "auth_method",
                                      "password_scheme",
                                      "allow_cleartext_passwords",
                                      "auth_cache_ttl",
                                      "default_domain",
                                      "site_admins",
                                      "site_admin_group",
                                      "anonymous_read",
                                      "domain_admin_sets_quota",
                                      "log",
                                      "log_facility",
                                      "log_level"};
    for (const vmaildir::SchemaKey& sk : vmaildir::schema_keys())
        expected.insert(sk.key);

    // Entries start at the beginning of a line with the key; their help is indented.
    std::set<std::string> documented;
    std::istringstream in(ref);
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == ' ')
            continue;
        documented.insert(line.substr(0, line.find(' ')));
    }
    for (const std::string& key : expected) {
        CAPTURE(key);
        CHECK(documented.count(key) == 1);
    }
    // And nothing documented is unknown to the parser.
    for (const std::string& key : documented) {
        CAPTURE(key);
        auto e = error_of(base_line + key + " = x\n");
        if (e)
            CHECK(std::string(e->what()).find("unknown key") == std::string::npos);
    }
    CHECK(ref.find("search_base (required)") != std::string::npos);
    CHECK(ref.find("timeout (default: 10s)") != std::string::npos);
}

TEST_CASE("a password file open to all names the layout that works for its reader") {
    TempDir dir;
    const std::string path = dir.write("pw", "s3cret\n");
    chmod(path.c_str(), 0644);
    std::string problem;
    CHECK_FALSE(vmaildir::util::read_secret_file(path, problem).has_value());
    CHECK(problem.find("mode 0644") != std::string::npos);
    CHECK(problem.find("group of the daemons' user") != std::string::npos);
    CHECK(problem.find("s3cret") == std::string::npos);
    // A command's own password file (vmaildir --bind-pw-file): the user's, 0600.
    CHECK_FALSE(
        vmaildir::util::read_secret_file(path, problem, vmaildir::util::SecretReader::person)
            .has_value());
    CHECK(problem.find("owner the user who runs the command, mode 0600") != std::string::npos);
    CHECK(problem.find("daemon") == std::string::npos);
    chmod(path.c_str(), 0600);
    CHECK(vmaildir::util::read_secret_file(path, problem, vmaildir::util::SecretReader::person) ==
          "s3cret");
}

} // namespace
