// Delegated administration (SPEC §5): decide(), the one total decision function
// over actor, action and target.
//
// decide() is authoritative; the generated slapd rules (ldap/access_rules.cpp) refuse the same
// actions on their own, the domain capabilities included: slapd reads editAccounts and
// editPostmasters from the domain entry with sets, and refuses an account's creation or
// deletion by its filter on the entry itself.  The one difference: slapd reads an absent flag
// as FALSE where decide() applies edit_accounts_default / edit_postmasters_default (`vmaildir
// domain add` writes both flags).  Tools that write the directory ask decide() first (it names
// the rule in its refusal) and then write as the actor, so that slapd judges again
// (tests/integration/admin_test.cpp shows the two agree for every actor).
#include "vmaildir/admin/acl.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir {

namespace {

using util::ascii_lower;
using util::iequals;

// Which column of the SPEC §5 matrix grants an action.
enum class Rule {
    site_only,           // create/delete domain, active flag, capabilities
    edit_accounts,       // site admin; domain admin if the domain's editAccounts is on
    domain_admin,        // site admin; domain admin
    quota,               // site admin; domain admin if policy.domain_admin_sets_quota
    password,            // site admin; domain admin; self (own entry)
    alias_destinations,  // site admin; domain admin; self for its own alias
    appoint_postmasters, // site admin; domain admin if the domain's editPostmasters is on
    read,                // everyone authenticated; anonymous per policy.anonymous_read
    read_password,       // nobody
};

struct ActionInfo {
    Action action;
    const char* name;   // to_string()
    const char* phrase; // "may <phrase>" in reasons
    Rule rule;
};

// In declaration order of Action: all_actions() and to_string() read this table.
constexpr ActionInfo action_table[] = {
    {Action::create_domain, "create-domain", "create domains", Rule::site_only},
    {Action::delete_domain, "delete-domain", "delete domains", Rule::site_only},
    {Action::set_domain_active, "set-domain-active", "set a domain's active flag", Rule::site_only},
    {Action::set_domain_capabilities, "set-domain-capabilities", "set a domain's capabilities",
     Rule::site_only},
    {Action::create_account, "create-account", "create accounts", Rule::edit_accounts},
    {Action::delete_account, "delete-account", "delete accounts", Rule::edit_accounts},
    {Action::modify_account, "modify-account", "modify accounts", Rule::domain_admin},
    {Action::set_account_quota, "set-account-quota", "set account quotas", Rule::quota},
    {Action::set_password, "set-password", "set passwords", Rule::password},
    {Action::create_alias, "create-alias", "create aliases", Rule::domain_admin},
    {Action::delete_alias, "delete-alias", "delete aliases", Rule::domain_admin},
    {Action::set_catch_all, "set-catch-all", "set the catch-all", Rule::domain_admin},
    {Action::change_alias_destinations, "change-alias-destinations", "change alias destinations",
     Rule::alias_destinations},
    {Action::appoint_postmaster, "appoint-postmaster", "appoint postmasters",
     Rule::appoint_postmasters},
    {Action::revoke_postmaster, "revoke-postmaster", "revoke postmasters",
     Rule::appoint_postmasters},
    {Action::read_attributes, "read-attributes", "read non-secret attributes", Rule::read},
    {Action::read_password, "read-password", "read userPassword", Rule::read_password},
};

const ActionInfo* find_action(Action action) noexcept {
    for (const ActionInfo& info : action_table)
        if (info.action == action)
            return &info;
    return nullptr;
}

Decision allow(std::string reason) {
    return Decision{true, "allowed: " + std::move(reason)};
}
Decision deny(std::string reason) {
    return Decision{false, "denied: " + std::move(reason)};
}

// A domain name for a reason: lower-cased, and one printable line whatever the directory holds.
std::string shown(std::string_view domain) {
    return util::printable(ascii_lower(domain), 100);
}

std::string where(const Target& target) {
    return target.domain.empty() ? std::string() : " in " + shown(target.domain);
}

} // namespace

const std::vector<Action>& all_actions() {
    static const std::vector<Action> actions = [] {
        std::vector<Action> v;
        for (const ActionInfo& info : action_table)
            v.push_back(info.action);
        return v;
    }();
    return actions;
}

const char* to_string(Action action) noexcept {
    const ActionInfo* info = find_action(action);
    return info ? info->name : "unknown-action";
}

// Roles are tried from the most privileged down; the first that grants the action decides.
// A denial names the most privileged role the actor holds for this target and the rule that
// stopped it.  An actor without a DN is anonymous whatever its other fields say: a caller that
// flags an unauthenticated actor as an admin has a bug, and this fails closed.
Decision decide(const Actor& actor, Action action, const Target& target, const AclPolicy& policy) {
    const ActionInfo* info = find_action(action);
    if (!info)
        return deny("unknown action " + std::to_string(static_cast<int>(action)));
    const std::string phrase = info->phrase;

    if (info->rule == Rule::read_password)
        return deny("nobody may read userPassword (authentication is not reading)");

    const bool anonymous = actor.dn.empty();
    if (anonymous) {
        if (info->rule == Rule::read) {
            if (policy.anonymous_read)
                return allow("anonymous may " + phrase + " (anonymous_read is on)");
            return deny("anonymous may not " + phrase + " (anonymous_read is off)");
        }
        return deny("anonymous may not " + phrase + where(target));
    }

    if (actor.site_admin)
        return allow("site admin may " + phrase + where(target));

    const std::string domain = ascii_lower(target.domain);
    const bool domain_admin =
        !domain.empty() &&
        std::any_of(actor.administered_domains.begin(), actor.administered_domains.end(),
                    [&](const std::string& d) { return ascii_lower(d) == domain; });
    const bool self = !target.entry_dn.empty() &&
                      util::normalise_dn(actor.dn) == util::normalise_dn(target.entry_dn);
    const bool own_alias =
        self || (!actor.address.empty() && iequals(actor.address, target.entry_address));

    if (domain_admin) {
        const std::string role = "domain admin of " + shown(domain);
        switch (info->rule) {
        case Rule::site_only:
            return deny(role + " may not " + phrase + " (site admins only)");
        case Rule::edit_accounts:
            if (target.can_edit_accounts)
                return allow(role + " may " + phrase + " (editAccounts is on)");
            return deny(role + " may not " + phrase + " (editAccounts is off)");
        case Rule::appoint_postmasters:
            if (target.can_appoint_postmasters)
                return allow(role + " may " + phrase + " (editPostmasters is on)");
            return deny(role + " may not " + phrase + " (editPostmasters is off)");
        case Rule::quota:
            if (policy.domain_admin_sets_quota)
                return allow(role + " may " + phrase + " (domain_admin_sets_quota is on)");
            return deny(role + " may not " + phrase + " (domain_admin_sets_quota is off)");
        case Rule::domain_admin:
        case Rule::password:
        case Rule::alias_destinations:
        case Rule::read:
            return allow(role + " may " + phrase);
        case Rule::read_password:
            break; // handled above
        }
        return deny(role + " may not " + phrase);
    }

    // Not an administrator of this target: self, or merely an authenticated user.
    if (info->rule == Rule::read)
        return allow((self ? "self" : "authenticated user") + std::string(" may ") + phrase);
    if (info->rule == Rule::password && self)
        return allow("self may set its own password");
    if (info->rule == Rule::alias_destinations && own_alias)
        return allow("self may change the destinations of its own alias");

    std::string who = self ? "self" : "authenticated user";
    std::string why;
    if (info->rule == Rule::password)
        why = " (self only for its own entry)";
    else if (info->rule == Rule::alias_destinations)
        why = " (self only for its own alias)";
    else if (info->rule == Rule::site_only)
        why = " (site admins only)";
    else
        why = " (site admins and the domain's admins only)";
    std::string note;
    if (domain.empty() && !actor.administered_domains.empty())
        note = "; no target domain, so domain admin rights do not apply";
    else if (!actor.administered_domains.empty())
        note = "; not a domain admin of " + shown(domain);
    return deny(who + " may not " + phrase + where(target) + why + note);
}

} // namespace vmaildir
