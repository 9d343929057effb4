// ldap_table(5) files for virtual(8), generated from the vmaildir configuration.
//
// virtual(8) refuses socketmap and tcp tables for virtual_mailbox_maps,
// virtual_uid_maps and virtual_gid_maps ("not allowed for security-sensitive
// data", host-facts §0).  So delivery gets native ldap: tables written from the
// same configuration and schema, used through master.cf `-o` on the virtual
// service only, while smtpd and cleanup keep vmaildir's socketmap.  The tables
// answer what the socketmap `mailbox`, `uid` and `gid` maps answer:
//   - only for live hosted domains: their `domain` list is vmaildir's own
//     `transport` map, which finds exactly those (match lists open tables without
//     virtual's paranoid flags, so a socketmap is allowed there);
//   - only below the domain's entry: the search base is the domain's DN;
//   - only live accounts by their own flags (TRUE/FALSE or absent);
//   - one entry at most: two is an error, and virtual(8) defers.
// virtual(8) itself retries with the address extension removed, as vmaildir does.
#pragma once

#include <string>
#include <vector>

#include "vmaildir/config/config.hpp"
#include "vmaildir/ldap/profile.hpp"

namespace vmaildir::postfix {

struct GeneratedTable {
    std::string name; ///< "mailbox", "uid" or "gid"
    std::string text; ///< the ldap_table(5) file; holds the bind password when there is one
};

/// The tables virtual(8) needs: mailbox, plus uid and gid unless static_uid/static_gid are
/// set (use static:N then), for the LDAP server `ldap` describes; ldap_table(5) takes the
/// password only inline, as `bind_pw` (empty without a simple bind).  `live_domains` is a
/// Postfix table that finds exactly the live hosted domains, as virtual(8) reaches it:
/// vmaildir's transport map, e.g. "socketmap:unix:/var/spool/postfix/private/vmaildir:transport".
std::vector<GeneratedTable> ldap_tables(const Config& config, const LdapProfile& ldap,
                                        const std::string& bind_password,
                                        const std::string& live_domains);

/// `vmaildir-postfix ldap-tables`: reads the configuration and the password file, writes the
/// tables into `directory` (mode 0640, group postfix) and prints the main.cf lines that use
/// them.  Returns the exit status (0, or 78 for a configuration error, 73 when a file cannot
/// be written).
int write_ldap_tables(const std::string& config_path, const std::string& live_domains,
                      const std::string& directory);

} // namespace vmaildir::postfix
