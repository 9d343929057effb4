// How vmaildir reaches the LDAP directory, minus the secret: for tools that set
// up another LDAP client to ask the same directory as the same identity (the
// ldap_table(5) files `vmaildir-postfix ldap-tables` writes for virtual(8),
// `vmaildir acl-rules`).  The bind password is not here; a tool that must copy
// it into another program's configuration reads bind_pw_file itself, as that
// program would.
#pragma once

#include "vmaildir/config/config.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vmaildir {

struct LdapProfile {
    std::vector<std::string> servers; ///< URIs, in failover order
    std::string bind_dn;              ///< empty: anonymous or SASL
    std::string bind_pw_file;         ///< resolved path of the password file; empty without
    std::string sasl_mech;
    std::string sasl_authz_id;
    std::string admin_uri; ///< ldapi:// for administration as the calling user (SASL EXTERNAL)
    bool start_tls = false;
    std::string tls_ca_file;
    std::string tls_ca_dir;
    std::string tls_cert_file;
    std::string tls_key_file;
    bool tls_require_cert = true;
};

/// The LDAP connection settings of a configuration, or nothing when it has none (a broken
/// or default-constructed Config).
std::optional<LdapProfile> ldap_profile(const Config& config);

} // namespace vmaildir
