// The configuration every adapter reads (SPEC §6), as data.
//
// The file is `key = value` lines, `#` comments, as Postfix ldap_table(5) files,
// key names following ldap_table(5) where one exists.  This header holds what
// the core itself uses; each directory backend parses the keys it owns into its
// own settings (Config::directory), so the core knows no LDAP type.  Reading
// the file, with every registered backend's keys, is
// vmaildir/service/config_file.hpp.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vmaildir/admin/acl.hpp"
#include "vmaildir/auth/password_scheme.hpp"
#include "vmaildir/directory/backend.hpp"
#include "vmaildir/model/address.hpp"
#include "vmaildir/model/schema.hpp"
#include "vmaildir/util/log.hpp"

namespace vmaildir {

inline constexpr const char* default_config_path = "/etc/vmaildir/vmaildir.conf";

struct CacheSettings {
    std::chrono::milliseconds positive_ttl{60000};
    std::chrono::milliseconds negative_ttl{30000};
    /// How long past expiry an entry may still answer while the directory fails; 0 = never.
    std::chrono::milliseconds stale_ttl{0};
    std::size_t max_entries = 100000; ///< 0 disables the cache
};

enum class AuthMethod {
    bind,    ///< bind as the account's DN: slapd checks the hash
    compare, ///< read userPassword with the service identity and verify it here
};

struct AuthSettings {
    AuthMethod method = AuthMethod::bind;
    PasswordScheme scheme = PasswordScheme::sha512_crypt; ///< for new passwords
    bool allow_cleartext = false;
    std::string default_domain; ///< completes a login without @domain
    /// How long a successful login (address + keyed hash of the password) is accepted again
    /// without asking the directory; 0 checks every login there.
    std::chrono::milliseconds cache_ttl{60000};
    /// While the directory fails, a verified login up to this long past cache_ttl is still
    /// accepted; 0 never.  Its own key, not cache_stale_ttl: a stale answer for a lookup
    /// delays mail, a stale login keeps a disabled account or an old password working.
    std::chrono::milliseconds cache_stale_ttl{0};
    /// A file whose change makes every process on the host forget the logins it verified:
    /// the administration commands touch it after a change of who may log in, or with which
    /// password (vmaildir/auth/login_stamp.hpp).  Empty: none.
    std::string cache_stamp = "/var/lib/vmaildir/login-cache.stamp";
};

/// What the administration commands give new accounts (vmaildir/admin/admin.hpp).
struct NewAccountSettings {
    /// The mailbox path: %d the domain, %l the local part, %h the home directory, %s a stamp
    /// unique to this creation (UTC time and random digits), so that a re-created account never
    /// gets the Maildir of an earlier one (SPEC §5).  Empty: the preset's default.
    std::string mailbox_template;
    std::string home = "/var/mail/vhosts";
    unsigned long uid = 5000;
    unsigned long gid = 5000;
    std::string quota; ///< empty: no quota attribute
};

struct Config {
    std::string path; ///< where it was read from (for messages)

    // Directory
    DirectoryChoice directory; ///< the backend that answers, with every backend's settings
    std::string search_base;
    std::chrono::milliseconds timeout{10000}; ///< whole budget of one lookup
    std::size_t size_limit = 100;

    // Model
    Schema schema;
    AddressPolicy address;
    std::string default_transport = "virtual:";
    std::optional<unsigned long> static_uid;
    std::optional<unsigned long> static_gid;
    unsigned long minimum_uid = 100; ///< entries' uid/gid numbers below it are malformed
    bool edit_accounts_default = true;     ///< capability when a domain entry does not say
    bool edit_postmasters_default = false; ///<
    unsigned recursion_limit = 20;
    unsigned expansion_limit = 1000;

    CacheSettings cache;
    AuthSettings auth;
    AclPolicy acl;
    NewAccountSettings new_account;
    std::vector<std::string> site_admins;
    std::string site_admin_group; ///< DN; defaults to schema.site_admin_group_rdn,search_base

    // Logging
    std::string log_target = "syslog"; ///< "syslog" or "stderr"
    std::string log_facility = "mail";
    LogLevel log_level = LogLevel::info;
};

/// A configuration that cannot be used.  what() reads "FILE:LINE: KEY: problem" (LINE and KEY
/// omitted when the problem has none).
class ConfigError : public std::runtime_error {
public:
    ConfigError(const std::string& file, std::size_t line, const std::string& key,
                const std::string& problem);
    const std::string& file() const noexcept { return file_; }
    std::size_t line() const noexcept { return line_; }
    const std::string& key() const noexcept { return key_; }

private:
    std::string file_;
    std::size_t line_;
    std::string key_;
};

} // namespace vmaildir
