// The LDAP backend's settings: the keys it owns in vmaildir.conf (ldap_table(5)
// names), parsed and validated here and nowhere else, so that the bind password
// stays inside the backend.
#pragma once

#include "config/keys.hpp"
#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/backend.hpp"
#include "vmaildir/ldap/profile.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace vmaildir::ldap {

struct LdapSettings final : BackendSettings {
    /// Where and how to connect and bind: servers in failover order, the bind DN or SASL
    /// mechanism, TLS, the password file's path (what vmaildir/ldap/profile.hpp hands out).
    LdapProfile profile;
    /// The password read from profile.bind_pw_file.  Secret: never logged, never handed out.
    std::string bind_password;
    /// Bound on each TCP connect (LDAP_OPT_NETWORK_TIMEOUT); never more than the operation's
    /// own deadline.
    std::chrono::milliseconds connect_timeout{5000};
    /// Connections for searches and modifications (each used by one thread at a time).
    std::size_t pool_size = 8;
    /// Connections reserved for password-checking binds.
    std::size_t auth_pool_size = 2;
};

/// The keys, for the reference and the unknown-key check.
std::vector<KeyHelp> ldap_key_help();
/// Parses and validates the LDAP keys of `text` (reading bind_pw_file); `core` supplies the
/// lookup timeout that bounds connect_timeout.  Throws ConfigError.
std::shared_ptr<const LdapSettings> parse_ldap_settings(const ConfigText& text, const Config& core);
/// The LDAP settings a configuration holds, or nullptr.
const LdapSettings* ldap_settings(const Config& config);

/// Whether a password sent on a connection to `uri` stays on this host or is encrypted:
/// ldapi://, ldaps://, StartTLS, or a loopback address.
bool protected_transport(const std::string& uri, bool start_tls);

} // namespace vmaildir::ldap
