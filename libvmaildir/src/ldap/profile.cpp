// The LDAP settings without the secret (vmaildir/ldap/profile.hpp).
#include "vmaildir/ldap/profile.hpp"

#include "ldap/settings.hpp"

namespace vmaildir {

std::optional<LdapProfile> ldap_profile(const Config& config) {
    const ldap::LdapSettings* s = ldap::ldap_settings(config);
    if (!s)
        return std::nullopt;
    return s->profile;
}

} // namespace vmaildir
