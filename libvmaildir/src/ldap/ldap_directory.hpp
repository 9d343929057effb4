// The LDAP Directory (ldap_directory.cpp): searches, password binds and
// modifications over pooled libldap connections.
#pragma once

#include "ldap/settings.hpp"
#include "vmaildir/directory/directory.hpp"
#include "vmaildir/util/log.hpp"

#include <memory>

namespace vmaildir::ldap {

/// Creates an LDAP directory.  Connects lazily (first operation), so it is safe to create
/// before a host forks its workers as long as no operation runs before the fork.  The logger
/// must outlive the directory.
std::unique_ptr<Directory> make_ldap_directory(const LdapSettings& settings, Logger& log);

} // namespace vmaildir::ldap
