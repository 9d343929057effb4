// Listing and showing domains, accounts, aliases and postmasters (admin.hpp),
// whatever their flags: an administrator needs to see what is inactive or
// deleted too.
#include "admin/state.hpp"
#include "vmaildir/util/dn.hpp"

namespace vmaildir {

namespace {

using State = Administration::State;

template <class T> std::optional<Result<T>> read_denied(const State& s, const Domain& domain) {
    if (auto why = s.denied(Action::read_attributes, domain))
        return Result<T>::not_found(*why);
    return std::nullopt;
}

/// Every entry of one kind below a domain, mapped.
template <class T, class Map>
Result<std::vector<T>> entries_of(State& s, const DomainHit& hit, const Filter& filter, Map map) {
    using R = Result<std::vector<T>>;
    SearchRequest request{hit.entry.dn(), Scope::subtree, filter, s.mapper().attributes(), 0, true};
    auto found = s.session.search(request, s.deadline());
    if (!found.is_found())
        return R::failure_of(found);
    std::vector<T> out;
    for (const Entry& e : found.value()) {
        if (util::normalise_dn(e.dn()) == util::normalise_dn(hit.entry.dn()))
            continue;
        auto item = map(e);
        if (!item)
            continue;
        if (!item->is_found())
            return R::failure_of(*item);
        out.push_back(std::move(*item).value());
    }
    return R::found(std::move(out));
}

Filter alias_filter(const Schema& schema) {
    return Filter::any_of(
        {Filter::equals("objectClass", schema.alias_object_class),
         Filter::all_of({Filter::equals("objectClass", schema.account_object_class),
                         Filter::present(schema.alias_destination_attribute)})});
}

} // namespace

Result<std::vector<Domain>> Administration::domains() {
    using R = Result<std::vector<Domain>>;
    State& s = *state_;
    if (auto denied = read_denied<std::vector<Domain>>(s, Domain{}))
        return *denied;
    const Schema& schema = s.schema();
    SearchRequest request{s.config.search_base,
                          schema.domain_scope,
                          Filter::equals("objectClass", schema.domain_object_class),
                          s.mapper().attributes(),
                          0,
                          false};
    auto found = s.session.search(request, s.deadline());
    if (!found.is_found())
        return R::failure_of(found);
    std::vector<Domain> out;
    for (const Entry& e : found.value()) {
        auto d = s.mapper().domain(e);
        if (!d.is_found())
            return R::failure_of(d);
        out.push_back(d.value());
    }
    return R::found(std::move(out));
}

Result<std::vector<std::string>> Administration::postmasters(std::string_view text) {
    using R = Result<std::vector<std::string>>;
    State& s = *state_;
    auto hit = s.find_domain(text, true);
    if (!hit.is_found())
        return R::failure_of(hit);
    if (auto denied = read_denied<std::vector<std::string>>(s, hit.value().domain))
        return *denied;
    const Schema& schema = s.schema();
    std::vector<std::string> out;
    const std::string role_dn = s.layout.role_dn(hit.value().entry.dn());
    if (!role_dn.empty()) {
        auto role = s.read_entry(role_dn);
        if (role.is_temp_fail())
            return R::failure_of(role);
        if (role.is_found())
            out = role.value().values(schema.postmaster_member_attribute);
    }
    if (!schema.postmaster_account_rdn.empty()) {
        const std::string dn = schema.postmaster_account_rdn + "," + hit.value().entry.dn();
        auto account = s.read_entry(dn);
        if (account.is_temp_fail())
            return R::failure_of(account);
        if (account.is_found())
            out.push_back(dn);
    }
    return R::found(std::move(out));
}

Result<std::vector<Account>> Administration::accounts(std::string_view text) {
    State& s = *state_;
    auto hit = s.find_domain(text, true);
    if (!hit.is_found())
        return Result<std::vector<Account>>::failure_of(hit);
    if (auto denied = read_denied<std::vector<Account>>(s, hit.value().domain))
        return *denied;
    const std::string& name = hit.value().domain.name;
    return entries_of<Account>(
        s, hit.value(), Filter::equals("objectClass", s.schema().account_object_class),
        [&](const Entry& e) { return std::optional(s.mapper().account(e, name)); });
}

Result<std::vector<Alias>> Administration::aliases(std::string_view text) {
    State& s = *state_;
    auto hit = s.find_domain(text, true);
    if (!hit.is_found())
        return Result<std::vector<Alias>>::failure_of(hit);
    if (auto denied = read_denied<std::vector<Alias>>(s, hit.value().domain))
        return *denied;
    const std::string& name = hit.value().domain.name;
    return entries_of<Alias>(s, hit.value(), alias_filter(s.schema()), [&](const Entry& e) {
        return std::optional(s.mapper().alias(e, name));
    });
}

Result<DomainReport> Administration::domain(std::string_view text) {
    using R = Result<DomainReport>;
    State& s = *state_;
    auto hit = s.find_domain(text, true);
    if (!hit.is_found())
        return R::failure_of(hit);
    DomainReport report;
    report.domain = hit.value().domain;
    auto postmasters = this->postmasters(text);
    if (!postmasters.is_found())
        return R::failure_of(postmasters);
    report.postmasters = postmasters.value();
    auto accounts = this->accounts(text);
    if (!accounts.is_found())
        return R::failure_of(accounts);
    report.accounts = accounts.value().size();
    auto aliases = this->aliases(text);
    if (!aliases.is_found())
        return R::failure_of(aliases);
    for (const Alias& a : aliases.value()) {
        if (a.catch_all && !a.flags.deleted)
            report.catch_all = a;
        else if (!a.catch_all)
            ++report.aliases;
    }
    return R::found(std::move(report));
}

Result<Account> Administration::account(std::string_view text) {
    State& s = *state_;
    auto a = s.address(text);
    if (!a.is_found())
        return Result<Account>::failure_of(a);
    auto hit = s.find_domain(a.value().domain(), true);
    if (!hit.is_found())
        return Result<Account>::failure_of(hit);
    if (auto denied = read_denied<Account>(s, hit.value().domain))
        return *denied;
    auto entries = s.entries_at(hit.value(), a.value().folded_local());
    if (!entries.is_found())
        return Result<Account>::failure_of(entries);
    const Entry* best = nullptr;
    for (const Entry& e : entries.value())
        if (s.mapper().is_account(e) && (!best || s.deleted(*best)))
            best = &e;
    if (!best)
        return Result<Account>::not_found("no account " + a.value().text());
    return s.mapper().account(*best, hit.value().domain.name);
}

Result<Alias> Administration::alias(std::string_view text) {
    State& s = *state_;
    auto a = s.address(text);
    if (!a.is_found())
        return Result<Alias>::failure_of(a);
    auto hit = s.find_domain(a.value().domain(), true);
    if (!hit.is_found())
        return Result<Alias>::failure_of(hit);
    if (auto denied = read_denied<Alias>(s, hit.value().domain))
        return *denied;
    auto entries = s.entries_at(hit.value(), a.value().folded_local());
    if (!entries.is_found())
        return Result<Alias>::failure_of(entries);
    const Entry* best = nullptr;
    for (const Entry& e : entries.value())
        if (s.mapper().is_alias(e) && (!best || s.deleted(*best)))
            best = &e;
    if (!best)
        return Result<Alias>::not_found("no alias " + a.value().text());
    return s.mapper().alias(*best, hit.value().domain.name);
}

} // namespace vmaildir
