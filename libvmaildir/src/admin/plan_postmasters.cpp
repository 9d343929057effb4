// Postmasters: appoint and revoke the administrators of a domain (SPEC §5), in
// the role entry the layout names (jamm/courier: cn=postmaster, which is also
// the postmaster@ alias; mailrouter: the cn=admin group).
#include "admin/state.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

using Op = Modification::Op;
using State = Administration::State;

struct Occupant {
    std::string dn;
    std::string address; ///< when it is an account
};

/// `who` as a role occupant: an account's address (its entry, deleted ones too when
/// `deleted_too`) or any DN that exists.
Result<Occupant> occupant(State& s, std::string_view who, bool deleted_too) {
    using R = Result<Occupant>;
    if (who.find('=') == std::string_view::npos) {
        auto a = s.address(who);
        if (!a.is_found())
            return R::failure_of(a);
        auto hit = s.find_domain(a.value().domain(), deleted_too);
        if (!hit.is_found())
            return R::failure_of(hit);
        auto entries = s.entries_at(hit.value(), a.value().folded_local());
        if (!entries.is_found())
            return R::failure_of(entries);
        for (const Entry& e : entries.value())
            if (s.mapper().is_account(e) && (deleted_too || !s.deleted(e)))
                return R::found({e.dn(), a.value().text()});
        return R::not_found("no account " + a.value().text());
    }
    const std::string dn(who);
    if (!util::parse_dn(dn))
        return R::not_found("'" + util::printable(who, 100) + "' is neither an address nor a DN");
    if (deleted_too)
        return R::found({dn, ""});
    auto entry = s.read_entry(dn);
    if (!entry.is_found())
        return R::failure_of(entry);
    return R::found({dn, ""});
}

/// The stored spelling of `dn` among a role's occupants, or empty.
std::string listed(const Entry& role, const std::string& attribute, const std::string& dn) {
    const std::string wanted = util::normalise_dn(dn);
    for (const std::string& v : role.values(attribute))
        if (util::normalise_dn(v) == wanted)
            return v;
    return {};
}

} // namespace

Change Administration::State::revoke_change(const Entry& role, const std::string& occupant) const {
    const std::string& attribute = schema().postmaster_member_attribute;
    const bool last = role.values(attribute).size() <= 1;
    if (revoking_removes(role))
        return Change::remove(role.dn());
    std::vector<Modification> mods{{Op::remove, attribute, {occupant}}};
    const std::string role_class = layout.occupied_role_class();
    if (last && !role_class.empty() && role.has_value("objectClass", role_class))
        mods.push_back({Op::remove, "objectClass", {role_class}});
    return Change::modify(role.dn(), std::move(mods));
}

bool Administration::State::revoking_removes(const Entry& role) const {
    return layout.role_needs_an_occupant() &&
           role.values(schema().postmaster_member_attribute).size() <= 1;
}

std::optional<std::string>
Administration::State::last_occupant_denied(const Entry& role, const std::string& domain) const {
    if (actor.site_admin || !revoking_removes(role))
        return std::nullopt;
    return "denied: the last postmaster of " + domain + " goes only with its role entry " +
           role.dn() + ", which only a site admin deletes";
}

Result<std::vector<Entry>> Administration::State::roles_of(const std::string& dn) {
    using R = Result<std::vector<Entry>>;
    const std::string& attribute = schema().postmaster_member_attribute;
    if (attribute.empty() || schema().postmaster_rdn.empty())
        return R::found({});
    SearchRequest request{config.search_base,
                          Scope::subtree,
                          Filter::equals(attribute, dn),
                          {"objectClass", attribute},
                          0,
                          false};
    auto found = session.search(request, deadline());
    if (!found.is_found())
        return found;
    std::vector<Entry> out;
    for (const Entry& e : found.value()) {
        auto parent = util::parent_dn(e.dn());
        if (parent && util::normalise_dn(layout.role_dn(*parent)) == util::normalise_dn(e.dn()))
            out.push_back(e);
    }
    return R::found(std::move(out));
}

Result<Plan> Administration::appoint_postmaster(std::string_view text, std::string_view who) {
    State& s = *state_;
    auto hit = s.domain_for(text, Action::appoint_postmaster);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    const std::string role_dn = s.layout.role_dn(domain.dn);
    if (role_dn.empty())
        return refused(lacks(s.schema(), "postmaster role", "postmaster_rdn"));
    auto o = occupant(s, who, false);
    if (!o.is_found())
        return Result<Plan>::failure_of(o);
    const Occupant& person = o.value();
    const std::string& attribute = s.schema().postmaster_member_attribute;

    Plan plan;
    plan.summary = "appoint " + (person.address.empty() ? person.dn : person.address) +
                   " postmaster of " + domain.name;
    auto role = s.read_entry(role_dn);
    if (role.is_temp_fail())
        return Result<Plan>::failure_of(role);
    if (role.is_found()) {
        if (!listed(role.value(), attribute, person.dn).empty())
            return refused((person.address.empty() ? person.dn : person.address) +
                           " is a postmaster of " + domain.name + " already");
        std::vector<Modification> mods{{Op::add, attribute, {person.dn}}};
        const std::string role_class = s.layout.occupied_role_class();
        if (!role_class.empty() && !role.value().has_value("objectClass", role_class))
            mods.push_back({Op::add, "objectClass", {role_class}});
        State::add(plan, Change::modify(role_dn, std::move(mods)), plan.summary);
        return Result<Plan>::found(std::move(plan));
    }
    // No role entry yet.  Where it is the postmaster@ alias too, it needs destinations: the
    // new postmaster's own address; and no other entry may hold postmaster@ already.
    std::vector<std::string> destinations;
    if (s.layout.role_is_postmaster_alias()) {
        auto others = s.entries_at(hit.value(), "postmaster");
        if (!others.is_found())
            return Result<Plan>::failure_of(others);
        for (const Entry& e : others.value())
            if (!s.deleted(e))
                return refused("postmaster@" + domain.name + " is " + e.dn() +
                               ", not the role entry " + role_dn + ": move it there first");
        if (person.address.empty())
            return refused("postmaster@" + domain.name +
                           " does not exist yet: create it with "
                           "`vmaildir alias add postmaster@" +
                           domain.name + " ...` first");
        destinations.push_back(person.address);
        plan.warnings.push_back("postmaster@" + domain.name + " now exists and forwards to " +
                                person.address);
    }
    State::add(plan,
               Change::add(s.layout.role_entry(role_dn, domain.name, person.dn, destinations)),
               plan.summary);
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::revoke_postmaster(std::string_view text, std::string_view who) {
    State& s = *state_;
    auto hit = s.domain_for(text, Action::revoke_postmaster);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    auto o = occupant(s, who, true);
    if (!o.is_found())
        return Result<Plan>::failure_of(o);
    const Occupant& person = o.value();
    const std::string shown = person.address.empty() ? person.dn : person.address;
    const Schema& schema = s.schema();
    if (!schema.postmaster_account_rdn.empty() &&
        util::normalise_dn(schema.postmaster_account_rdn + "," + domain.dn) ==
            util::normalise_dn(person.dn))
        return refused(shown + " is the postmaster account of " + domain.name +
                       " (postmaster_account_rdn): it always administers the domain");
    const std::string role_dn = s.layout.role_dn(domain.dn);
    auto role = role_dn.empty() ? Result<Entry>::not_found("no role") : s.read_entry(role_dn);
    if (role.is_temp_fail())
        return Result<Plan>::failure_of(role);
    const std::string stored =
        role.is_found() ? listed(role.value(), schema.postmaster_member_attribute, person.dn) : "";
    if (stored.empty())
        return refused(shown + " is not a postmaster of " + domain.name);
    if (auto why = s.last_occupant_denied(role.value(), domain.name))
        return refused(*why);
    Plan plan;
    plan.summary = "revoke " + shown + " as postmaster of " + domain.name;
    State::add(plan, s.revoke_change(role.value(), stored), plan.summary);
    return Result<Plan>::found(std::move(plan));
}

} // namespace vmaildir
