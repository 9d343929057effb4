// Domains: create, delete, activate, capabilities (SPEC §5: site admins only).
#include "admin/state.hpp"
#include "vmaildir/util/dn.hpp"

#include <algorithm>

namespace vmaildir {

namespace {

using Op = Modification::Op;

std::size_t depth(const std::string& dn) {
    auto rdns = util::parse_dn(dn);
    return rdns ? rdns->size() : 0;
}

} // namespace

Result<Plan> Administration::add_domain(std::string_view text, const NewDomain& options) {
    State& s = *state_;
    const Schema& schema = s.schema();
    auto name = s.domain_name(text);
    if (!name.is_found())
        return Result<Plan>::failure_of(name);
    const std::string& domain = name.value();
    if (auto why = s.denied(Action::create_domain, Domain{domain, {}, {}, {}, false, false}))
        return refused(*why);
    if (!options.active && schema.active_attribute.empty())
        return refused(lacks(schema, "active flag", "active_attribute"));
    if (options.transport && schema.transport_attribute.empty())
        return refused(lacks(schema, "transport attribute", "transport_attribute"));
    if (options.edit_accounts && schema.edit_accounts_attribute.empty())
        return refused(lacks(schema, "editAccounts capability", "edit_accounts_attribute"));
    if (options.edit_postmasters && schema.edit_postmasters_attribute.empty())
        return refused(lacks(schema, "editPostmasters capability", "edit_postmasters_attribute"));
    if (!options.postmaster_to.empty())
        if (auto why = s.bad_destinations(options.postmaster_to))
            return refused(*why);

    // Both capabilities are written, the defaults included: slapd's access rules read an
    // absent flag as FALSE (acl-rules), where decide() would apply the configured default.
    NewDomain with = options;
    if (!with.edit_accounts && !schema.edit_accounts_attribute.empty())
        with.edit_accounts = s.config.edit_accounts_default;
    if (!with.edit_postmasters && !schema.edit_postmasters_attribute.empty())
        with.edit_postmasters = s.config.edit_postmasters_default;

    auto existing = s.find_domain(domain, true);
    if (existing.is_temp_fail())
        return Result<Plan>::failure_of(existing);
    Plan plan;
    plan.summary = "create domain " + domain;
    std::string domain_dn;
    if (existing.is_found()) {
        const DomainHit& hit = existing.value();
        if (!hit.domain.flags.deleted)
            return refused(domain + " exists already (" + hit.entry.dn() + ")");
        // A tombstone (jamm): the domain comes back; what it held stays deleted, because
        // deleting the domain deleted everything in it.
        domain_dn = hit.entry.dn();
        std::vector<Modification> mods{{Op::replace, schema.deleted_attribute, {"FALSE"}}};
        if (!schema.active_attribute.empty())
            mods.push_back({Op::replace, schema.active_attribute, {Layout::flag(options.active)}});
        if (!schema.transport_attribute.empty())
            mods.push_back({Op::replace, schema.transport_attribute,
                            options.transport ? std::vector<std::string>{*options.transport}
                                              : std::vector<std::string>{}});
        if (with.edit_accounts)
            mods.push_back(
                {Op::replace, schema.edit_accounts_attribute, {Layout::flag(*with.edit_accounts)}});
        if (with.edit_postmasters)
            mods.push_back({Op::replace,
                            schema.edit_postmasters_attribute,
                            {Layout::flag(*with.edit_postmasters)}});
        State::add(plan, Change::modify(domain_dn, std::move(mods)),
                   "the deleted domain " + domain + " comes back; its old entries stay deleted");
        plan.warnings.push_back(domain + " had been deleted: it is back, with none of its old "
                                         "accounts, aliases or postmasters");
    } else {
        Entry entry = s.layout.domain_entry(domain, with);
        domain_dn = entry.dn();
        State::add(plan, Change::add(std::move(entry)), "the domain " + domain);
    }

    if (options.postmaster_to.empty()) {
        plan.warnings.push_back("no postmaster@" + domain + " and abuse@" + domain +
                                " yet (RFC 2142): add them with `vmaildir alias add`");
        return Result<Plan>::found(std::move(plan));
    }
    for (const char* local : {"postmaster", "abuse"}) {
        const std::string dn = s.layout.alias_dn(domain_dn, local, domain);
        if (existing.is_found()) {
            auto old = s.read_entry(dn);
            if (old.is_temp_fail())
                return Result<Plan>::failure_of(old);
            if (old.is_found())
                State::add(plan, Change::remove(dn),
                           "the deleted " + std::string(local) + "@" + domain + " makes way");
        }
        State::add(plan,
                   Change::add(s.layout.alias_entry(dn, local, domain, options.postmaster_to)),
                   std::string(local) + "@" + domain + " (RFC 2142)");
    }
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::delete_domain(std::string_view text, bool recursive) {
    State& s = *state_;
    const Schema& schema = s.schema();
    auto hit = s.domain_for(text, Action::delete_domain);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    auto below = s.below(domain.dn);
    if (!below.is_found())
        return Result<Plan>::failure_of(below);

    // postmaster@, abuse@ and the role entry go with the domain without --recursive.
    std::vector<std::string> skeleton;
    for (const char* local : {"postmaster", "abuse"})
        skeleton.push_back(util::normalise_dn(s.layout.alias_dn(domain.dn, local, domain.name)));
    if (!s.layout.role_dn(domain.dn).empty())
        skeleton.push_back(util::normalise_dn(s.layout.role_dn(domain.dn)));
    std::vector<const Entry*> held;
    for (const Entry& e : below.value())
        if ((s.mapper().is_account(e) || s.mapper().is_alias(e)) && !s.deleted(e) &&
            std::find(skeleton.begin(), skeleton.end(), util::normalise_dn(e.dn())) ==
                skeleton.end())
            held.push_back(&e);
    if (!recursive && !held.empty())
        return refused(domain.name + " still holds " + std::to_string(held.size()) +
                       " accounts and aliases (" + held.front()->dn() +
                       (held.size() > 1 ? ", ..." : "") +
                       "): delete them first, or delete everything with --recursive");

    Plan plan;
    plan.summary = "delete domain " + domain.name;
    plan.affects_logins = true;
    if (s.layout.has_tombstones()) {
        for (const Entry& e : below.value())
            if ((s.mapper().is_account(e) || s.mapper().is_alias(e)) && !s.deleted(e))
                State::add(
                    plan,
                    Change::modify(e.dn(), {{Op::replace, schema.deleted_attribute, {"TRUE"}}}),
                    "deleted with its domain");
        State::add(plan,
                   Change::modify(domain.dn, {{Op::replace, schema.deleted_attribute, {"TRUE"}}}),
                   "the domain " + domain.name + " (a tombstone)");
    } else {
        std::vector<const Entry*> order;
        for (const Entry& e : below.value())
            order.push_back(&e);
        std::stable_sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
            return depth(a->dn()) > depth(b->dn()); // leaves first
        });
        for (const Entry* e : order)
            State::add(plan, Change::remove(e->dn()), "removed with its domain");
        State::add(plan, Change::remove(domain.dn), "the domain " + domain.name);
    }
    plan.warnings.push_back("the Maildirs of " + domain.name +
                            " stay on disk; a domain created again gets none of them");
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::set_domain_active(std::string_view text, bool active) {
    State& s = *state_;
    const Schema& schema = s.schema();
    auto hit = s.domain_for(text, Action::set_domain_active);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    if (schema.active_attribute.empty())
        return refused(lacks(schema, "active flag", "active_attribute"));
    Plan plan;
    plan.summary = std::string(active ? "activate" : "deactivate") + " domain " + domain.name;
    plan.affects_logins = true;
    State::add(
        plan,
        Change::modify(domain.dn, {{Op::replace, schema.active_attribute, {Layout::flag(active)}}}),
        plan.summary);
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::set_domain_capabilities(std::string_view text,
                                                     std::optional<bool> edit_accounts,
                                                     std::optional<bool> edit_postmasters) {
    State& s = *state_;
    const Schema& schema = s.schema();
    auto hit = s.domain_for(text, Action::set_domain_capabilities);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    if (!edit_accounts && !edit_postmasters)
        return refused("no capability given (edit-accounts, edit-postmasters)");
    std::vector<Modification> mods;
    if (edit_accounts) {
        if (schema.edit_accounts_attribute.empty())
            return refused(lacks(schema, "editAccounts capability", "edit_accounts_attribute"));
        mods.push_back(
            {Op::replace, schema.edit_accounts_attribute, {Layout::flag(*edit_accounts)}});
    }
    if (edit_postmasters) {
        if (schema.edit_postmasters_attribute.empty())
            return refused(
                lacks(schema, "editPostmasters capability", "edit_postmasters_attribute"));
        mods.push_back(
            {Op::replace, schema.edit_postmasters_attribute, {Layout::flag(*edit_postmasters)}});
    }
    Plan plan;
    plan.summary = "set the capabilities of domain " + domain.name;
    State::add(plan, Change::modify(domain.dn, std::move(mods)), plan.summary);
    return Result<Plan>::found(std::move(plan));
}

} // namespace vmaildir
