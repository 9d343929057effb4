// Delegated administration (SPEC §5) as one total decision function.  The same
// matrix as OpenLDAP access rules, so that slapd enforces it too, is
// vmaildir/ldap/access_rules.hpp.
#pragma once

#include <string>
#include <vector>

namespace vmaildir {

enum class Action {
    create_domain,
    delete_domain,
    set_domain_active,
    set_domain_capabilities,
    create_account,
    delete_account,
    modify_account, ///< active flag, name
    set_account_quota,
    set_password,
    create_alias,
    delete_alias,
    set_catch_all,
    change_alias_destinations,
    appoint_postmaster,
    revoke_postmaster,
    read_attributes, ///< every non-secret attribute
    read_password,   ///< the userPassword value itself (authentication is not reading)
};

/// Every action, in declaration order (for tables and help texts).
const std::vector<Action>& all_actions();
/// Stable printable name ("create-account", ...).
const char* to_string(Action action) noexcept;

/// Who acts.  Built by the caller from the directory (site admin list/group, postmaster roles).
struct Actor {
    std::string dn;      ///< empty: anonymous
    std::string address; ///< the actor's own mail address when it is an account, else empty
    bool site_admin = false;
    std::vector<std::string> administered_domains; ///< lower-cased names of domains it is
                                                   ///< postmaster of
};

/// What is acted on.
struct Target {
    std::string domain; ///< lower-cased domain; empty only for site-level reads
    bool can_edit_accounts = false;       ///< the domain's capability flags
    bool can_appoint_postmasters = false; ///<
    std::string entry_dn;      ///< the account or alias acted on (empty for domain actions)
    std::string entry_address; ///< its address (for "own alias")
};

/// Settings the SPEC leaves to the operator.
struct AclPolicy {
    bool anonymous_read = true;          ///< seeds: anonymous may read non-secret attributes
    bool domain_admin_sets_quota = false; ///< "not quota unless allowed"
};

struct Decision {
    bool allowed = false; ///< default: deny
    std::string reason;   ///< one line, always set: why allowed or denied
};

/// Decides whether `actor` may perform `action` on `target`.  Total: every combination has an
/// answer, and anything not explicitly allowed is denied.  Pure, thread-safe.
Decision decide(const Actor& actor, Action action, const Target& target,
                const AclPolicy& policy);

} // namespace vmaildir
