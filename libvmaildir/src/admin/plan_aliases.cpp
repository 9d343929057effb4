// Aliases and catch-alls: create, delete, set destinations (SPEC §5).  Every plan
// that changes where mail goes is resolved as it will be (check_planned_aliases):
// no loops, and no account losing its mail to an alias.
#include "admin/state.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

using Op = Modification::Op;
using State = Administration::State;

struct AliasAt {
    Address address;
    DomainHit domain;
    std::vector<Entry> entries; ///< every entry answering to the address
};

Result<AliasAt> alias_target(State& s, std::string_view text) {
    auto a = s.address(text);
    if (!a.is_found())
        return Result<AliasAt>::failure_of(a);
    auto hit = s.find_domain(a.value().domain());
    if (!hit.is_found())
        return Result<AliasAt>::failure_of(hit);
    auto entries = s.entries_at(hit.value(), a.value().folded_local());
    if (!entries.is_found())
        return Result<AliasAt>::failure_of(entries);
    return Result<AliasAt>::found(AliasAt{a.value(), hit.value(), entries.value()});
}

/// The alias entry (not deleted) among `entries`; with `forwarding_accounts`, an account
/// whose own entry lists destinations counts too.
const Entry* alias_among(const State& s, const std::vector<Entry>& entries,
                         bool forwarding_accounts) {
    for (const Entry& e : entries)
        if (!s.deleted(e) && s.mapper().is_alias(e) &&
            (forwarding_accounts || !s.mapper().is_account(e)))
            return &e;
    return nullptr;
}

/// Removes (or marks deleted) one alias entry.
Change retire(const State& s, const std::string& dn) {
    if (s.layout.has_tombstones())
        return Change::modify(dn, {{Op::replace, s.schema().deleted_attribute, {"TRUE"}}});
    return Change::remove(dn);
}

/// An alias that is not an account cannot list itself: that is how an account keeps a copy,
/// and for an alias it would deliver nowhere.
std::optional<std::string> lists_itself(const State& s, const Address& address,
                                        const std::vector<std::string>& destinations) {
    for (const std::string& d : destinations) {
        auto parsed = parse_address(d, s.reading.address);
        if (const Address* a = std::get_if<Address>(&parsed); a && a->key() == address.key())
            return address.text() + " cannot forward to itself (only an account keeps a copy so)";
    }
    return std::nullopt;
}

/// Adds an alias entry at `dn`, after the tombstones in `entries` that stand in its way.
Result<Plan> new_alias(State& s, Plan plan, const std::vector<Entry>& entries,
                       const std::string& shown, Entry entry) {
    for (const Entry& e : entries) {
        if (!s.deleted(e))
            return refused(shown + " exists (" +
                           (s.mapper().is_account(e) ? "account " : "alias ") + e.dn() + ")");
        State::add(plan, Change::remove(e.dn()), "the deleted entry of " + shown + " makes way");
    }
    State::add(plan, Change::add(std::move(entry)), shown);
    return Result<Plan>::found(std::move(plan));
}

} // namespace

Result<Plan> Administration::add_alias(std::string_view text,
                                       const std::vector<std::string>& destinations) {
    State& s = *state_;
    auto t = alias_target(s, text);
    if (!t.is_found())
        return Result<Plan>::failure_of(t);
    const AliasAt& at = t.value();
    const Domain& domain = at.domain.domain;
    const std::string dn = s.layout.alias_dn(domain.dn, at.address.local(), domain.name);
    if (auto why = s.denied(Action::create_alias, domain, dn, at.address.text()))
        return refused(*why);
    if (auto why = s.bad_destinations(destinations))
        return refused(*why);
    if (auto why = lists_itself(s, at.address, destinations))
        return refused(*why);
    Plan plan;
    plan.summary = "create alias " + at.address.text();
    auto built = new_alias(s, std::move(plan), at.entries, at.address.text(),
                           s.layout.alias_entry(dn, at.address.local(), domain.name, destinations));
    if (!built.is_found())
        return built;
    auto checked = s.check_planned_aliases(built.value(), {at.address.text()}, domain.name);
    if (!checked.is_found())
        return Result<Plan>::failure_of(checked);
    return built;
}

Result<Plan> Administration::delete_alias(std::string_view text) {
    State& s = *state_;
    auto t = alias_target(s, text);
    if (!t.is_found())
        return Result<Plan>::failure_of(t);
    const AliasAt& at = t.value();
    const Domain& domain = at.domain.domain;
    const Entry* alias = alias_among(s, at.entries, false);
    if (!alias) {
        if (alias_among(s, at.entries, true))
            return refused(at.address.text() + " is an account that forwards: change its "
                                               "destinations, or delete the account");
        return refused("no alias " + at.address.text());
    }
    if (auto why = s.denied(Action::delete_alias, domain, alias->dn(), at.address.text()))
        return refused(*why);
    const std::string role = s.layout.role_dn(domain.dn);
    if (!role.empty() && s.layout.role_is_postmaster_alias() &&
        util::normalise_dn(role) == util::normalise_dn(alias->dn()))
        return refused(at.address.text() + " is also the postmaster role of " + domain.name +
                       " (RFC 2142 wants it): change its destinations instead");
    Plan plan;
    plan.summary = "delete alias " + at.address.text();
    State::add(plan, retire(s, alias->dn()), plan.summary);
    if (util::iequals(at.address.local(), "abuse") ||
        util::iequals(at.address.local(), "postmaster"))
        plan.warnings.push_back("RFC 2142 wants " + at.address.text() +
                                " to exist; `vmaildir check` will report it missing");
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::set_alias_destinations(std::string_view text,
                                                    const std::vector<std::string>& destinations) {
    State& s = *state_;
    auto t = alias_target(s, text);
    if (!t.is_found())
        return Result<Plan>::failure_of(t);
    const AliasAt& at = t.value();
    const Domain& domain = at.domain.domain;
    const Entry* alias = alias_among(s, at.entries, true);
    if (!alias && s.schema().preset == "jamm") {
        // A Jamm account may list destinations itself (forward, and keep a copy by listing
        // its own address).
        for (const Entry& e : at.entries)
            if (!s.deleted(e) && s.mapper().is_account(e))
                alias = &e;
    }
    if (!alias)
        return refused("no alias " + at.address.text());
    if (auto why =
            s.denied(Action::change_alias_destinations, domain, alias->dn(), at.address.text()))
        return refused(*why);
    if (auto why = s.bad_destinations(destinations))
        return refused(*why);
    if (!s.mapper().is_account(*alias))
        if (auto why = lists_itself(s, at.address, destinations))
            return refused(*why);
    Plan plan;
    plan.summary = "set the destinations of " + at.address.text();
    State::add(plan,
               Change::modify(alias->dn(), {{Op::replace, s.schema().alias_destination_attribute,
                                             destinations}}),
               plan.summary);
    auto checked = s.check_planned_aliases(plan, {at.address.text()}, domain.name);
    if (!checked.is_found())
        return Result<Plan>::failure_of(checked);
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::set_catch_all(std::string_view text,
                                           const std::vector<std::string>& destinations) {
    State& s = *state_;
    auto hit = s.find_domain(text);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    const std::string dn = s.layout.alias_dn(domain.dn, "", domain.name);
    const std::string shown = "the catch-all of " + domain.name;
    if (auto why = s.denied(Action::set_catch_all, domain, dn, "@" + domain.name))
        return refused(*why);
    if (auto why = s.bad_destinations(destinations))
        return refused(*why);
    // A destination in the domain itself must exist: one that does not would be caught by
    // this very catch-all, and its mail would go round.
    std::vector<std::string> starts;
    for (const std::string& d : destinations) {
        auto parsed = parse_address(d, s.reading.address);
        const Address* a = std::get_if<Address>(&parsed);
        if (!a)
            continue;
        starts.push_back(a->text());
        if (a->domain() != domain.name)
            continue;
        auto r = s.lookups.resolver.resolve(a->text(), nullptr, false);
        if (r.is_temp_fail())
            return Result<Plan>::failure_of(r);
        if (!r.is_found() || r.value().route == Route::catch_all)
            return refused(a->text() + " does not exist: " + shown +
                           " would send its mail back to itself");
    }
    auto entries = s.entries_at(hit.value(), "");
    if (!entries.is_found())
        return Result<Plan>::failure_of(entries);
    Plan plan;
    plan.summary = "set " + shown;
    Result<Plan> built = Result<Plan>::found(plan);
    if (const Entry* existing = alias_among(s, entries.value(), false)) {
        State::add(
            plan,
            Change::modify(existing->dn(),
                           {{Op::replace, s.schema().alias_destination_attribute, destinations}}),
            shown);
        built = Result<Plan>::found(std::move(plan));
    } else {
        built = new_alias(s, std::move(plan), entries.value(), shown,
                          s.layout.alias_entry(dn, "", domain.name, destinations));
    }
    if (!built.is_found())
        return built;
    auto checked = s.check_planned_aliases(built.value(), starts, domain.name);
    if (!checked.is_found())
        return Result<Plan>::failure_of(checked);
    return built;
}

Result<Plan> Administration::clear_catch_all(std::string_view text) {
    State& s = *state_;
    auto hit = s.find_domain(text);
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    auto entries = s.entries_at(hit.value(), "");
    if (!entries.is_found())
        return Result<Plan>::failure_of(entries);
    const Entry* existing = alias_among(s, entries.value(), false);
    if (!existing)
        return refused(domain.name + " has no catch-all");
    if (auto why = s.denied(Action::set_catch_all, domain, existing->dn(), "@" + domain.name))
        return refused(*why);
    Plan plan;
    plan.summary = "clear the catch-all of " + domain.name;
    State::add(plan, retire(s, existing->dn()), plan.summary);
    return Result<Plan>::found(std::move(plan));
}

} // namespace vmaildir
