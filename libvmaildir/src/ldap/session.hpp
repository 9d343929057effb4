// The administration session of the LDAP backend (Directory::open_session): one
// connection of its own, bound as the administrator acting, so that slapd's
// access rules judge every search and change as well as decide() does.
#pragma once

#include "ldap/settings.hpp"
#include "vmaildir/directory/directory.hpp"
#include "vmaildir/util/log.hpp"

#include <memory>

namespace vmaildir::ldap {

/// A simple bind goes to the configured servers in failover order, and only over a protected
/// transport (ldaps://, ldapi://, StartTLS) or to a loopback address: an administrator's
/// password never crosses a network in the clear.  SASL EXTERNAL goes to `who.uri`, else
/// admin_uri, else the first ldapi:// server configured, else ldapi:/// (slapd's default
/// socket), and asks the server who it took the process to be (RFC 4532).
Result<std::unique_ptr<DirectorySession>> open_ldap_session(const LdapSettings& settings,
                                                            const Identity& who, Deadline deadline,
                                                            Logger& log);

} // namespace vmaildir::ldap
