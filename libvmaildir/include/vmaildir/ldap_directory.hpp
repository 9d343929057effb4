// The LDAP backend's settings and factory.  The implementation is the only
// code in vmaildir that includes <ldap.h>.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "vmaildir/directory.hpp"
#include "vmaildir/log.hpp"

namespace vmaildir {

struct LdapSettings {
    /// URIs tried in order for every new connection (ldap://, ldaps://, ldapi://).
    std::vector<std::string> servers{"ldap://localhost/"};
    /// Simple bind identity; empty for anonymous (or SASL when sasl_mech is set).
    std::string bind_dn;
    /// Its password, read from bind_pw_file.  Secret: never logged.
    std::string bind_password;
    /// SASL mechanism (EXTERNAL over ldapi://); empty for simple or anonymous binds.
    std::string sasl_mech;
    std::string sasl_authz_id;
    bool start_tls = false;
    std::string tls_ca_file;
    std::string tls_ca_dir;
    std::string tls_cert_file;
    std::string tls_key_file;
    bool tls_require_cert = true;
    /// Bound on each TCP connect (LDAP_OPT_NETWORK_TIMEOUT); never more than the operation's
    /// own deadline.
    std::chrono::milliseconds connect_timeout{5000};
    /// Connections for searches and modifications (each used by one thread at a time).
    std::size_t pool_size = 8;
    /// Connections reserved for password-checking binds.
    std::size_t auth_pool_size = 2;
};

/// Creates an LDAP directory.  Connects lazily (first operation), so it is safe to create
/// before a host forks its workers as long as no operation runs before the fork.  The logger
/// must outlive the directory.
std::unique_ptr<Directory> make_ldap_directory(LdapSettings settings, Logger& log);

} // namespace vmaildir
