// The delegated-administration matrix of SPEC §5 as OpenLDAP access rules
// (slapd.access(5), OpenLDAP 2.5), so that slapd enforces what decide()
// (vmaildir/admin/acl.hpp) decides, as far as an ACL can.
#pragma once

#include "vmaildir/admin/acl.hpp"
#include "vmaildir/model/schema.hpp"

#include <string>
#include <vector>

namespace vmaildir {

/// Site-wide inputs of the generated rules.
struct AclRuleSettings {
    std::string search_base;
    std::vector<std::string> site_admin_dns; ///< individual DNs with full write access
    std::string site_admin_group_dn;         ///< or a group (groupOfNames/roleOccupant) of them
    std::string service_dn;                  ///< vmaildir's own bind DN: reads, passwords
                                             ///< included (auth_method = compare), writes
                                             ///< nothing; may be empty
    /// The capabilities of domains whose layout has no attribute for them (the configuration's
    /// edit_accounts_default / edit_postmasters_default).
    bool edit_accounts_default = true;
    bool edit_postmasters_default = false;
};

/// Renders the matrix as slapd.conf `access to` directives for the schema's layout (the same
/// text works as olcAccess values, one directive per value).  The result passes slaptest.
std::string openldap_access_rules(const Schema& schema, const AclRuleSettings& settings,
                                  const AclPolicy& policy);

} // namespace vmaildir
