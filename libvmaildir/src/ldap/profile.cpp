// The LDAP settings without the secret (vmaildir/ldap/profile.hpp).
#include "vmaildir/ldap/profile.hpp"

#include "ldap/settings.hpp"

namespace vmaildir {

std::optional<LdapProfile> ldap_profile(const Config& config) {
    const ldap::LdapSettings* s = ldap::ldap_settings(config);
    if (!s)
        return std::nullopt;
    return LdapProfile{s->servers,       s->bind_dn,      s->bind_pw_file,    s->sasl_mech,
                       s->sasl_authz_id, s->start_tls,    s->tls_ca_file,     s->tls_ca_dir,
                       s->tls_cert_file, s->tls_key_file, s->tls_require_cert};
}

} // namespace vmaildir
