// Accounts: create, delete, enable/disable, name, quota, password (SPEC §5).
#include "admin/state.hpp"
#include "vmaildir/model/quota.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

using Op = Modification::Op;

/// The account an action names: its address, domain and entry.
struct AccountAt {
    Address address;
    DomainHit domain;
    Entry entry;
};

} // namespace

Result<Entry> Administration::State::find_account(const DomainHit& domain, const Address& address) {
    auto entries = entries_at(domain, address.folded_local());
    if (!entries.is_found())
        return Result<Entry>::failure_of(entries);
    for (const Entry& e : entries.value())
        if (mapper().is_account(e) && !deleted(e))
            return Result<Entry>::found(e);
    return Result<Entry>::not_found("no account " + address.text());
}

namespace {

/// Finds the account an action on `text` names.
Result<AccountAt> account_target(Administration::State& s, std::string_view text) {
    auto a = s.address(text);
    if (!a.is_found())
        return Result<AccountAt>::failure_of(a);
    auto hit = s.find_domain(a.value().domain());
    if (!hit.is_found())
        return Result<AccountAt>::failure_of(hit);
    auto entry = s.find_account(hit.value(), a.value());
    if (!entry.is_found())
        return Result<AccountAt>::failure_of(entry);
    return Result<AccountAt>::found(AccountAt{a.value(), hit.value(), entry.value()});
}

Result<Plan> modify_account(Administration::State& s, std::string_view text, Action action,
                            std::string summary, std::vector<Modification> mods,
                            bool affects_logins) {
    auto t = account_target(s, text);
    if (!t.is_found())
        return Result<Plan>::failure_of(t);
    const AccountAt& target = t.value();
    if (auto why = s.denied(action, target.domain.domain, target.entry.dn(), target.address.text()))
        return refused(*why);
    Plan plan;
    plan.summary = std::move(summary) + " " + target.address.text();
    plan.affects_logins = affects_logins;
    Administration::State::add(plan, Change::modify(target.entry.dn(), std::move(mods)),
                               plan.summary);
    return Result<Plan>::found(std::move(plan));
}

} // namespace

Result<Plan> Administration::add_account(std::string_view text, const NewAccount& account) {
    State& s = *state_;
    const Schema& schema = s.schema();
    auto a = s.address(text);
    if (!a.is_found())
        return Result<Plan>::failure_of(a);
    const Address& address = a.value();
    auto hit = s.find_domain(address.domain());
    if (!hit.is_found())
        return Result<Plan>::failure_of(hit);
    const Domain& domain = hit.value().domain;
    const std::string dn = s.layout.account_dn(domain.dn, address.local(), domain.name);
    if (auto why = s.denied(Action::create_account, domain, dn, address.text()))
        return refused(*why);

    Plan plan;
    plan.summary = "create account " + address.text();
    // "Not quota unless allowed" (SPEC §5) holds for new accounts too: an actor who may not
    // set quotas creates accounts without one (slapd, with add_content_acl, would refuse the
    // attribute anyway).
    std::string quota = account.quota.value_or(s.config.new_account.quota);
    if (!quota.empty() && !quota_bytes(quota))
        return refused("'" + util::printable(quota, 50) + "' is not a quota");
    if (!quota.empty()) {
        if (auto why = s.denied(Action::set_account_quota, domain, dn, address.text())) {
            if (account.quota)
                return refused(*why);
            plan.warnings.push_back("no quota set (new_account_quota " + quota + "): " + *why);
            quota.clear();
        }
    }
    if (!account.password_value.empty() && schema.password_attribute.empty())
        return refused(lacks(schema, "password attribute", "password_attribute"));

    auto existing = s.entries_at(hit.value(), address.folded_local());
    if (!existing.is_found())
        return Result<Plan>::failure_of(existing);
    for (const Entry& e : existing.value()) {
        if (!s.deleted(e))
            return refused(address.text() + " exists (" +
                           (s.mapper().is_account(e) ? "account " : "alias ") + e.dn() + ")");
        // A tombstone of the same name gives way; the new account gets a new mailbox path,
        // so the old Maildir, with the old account's mail, is never handed over (SPEC §5).
        const auto& old_mailbox = schema.mailbox_attribute.empty()
                                      ? std::vector<std::string>{}
                                      : e.values(schema.mailbox_attribute);
        State::add(plan, Change::remove(e.dn()),
                   "the deleted entry of " + address.text() + " makes way" +
                       (old_mailbox.empty()
                            ? ""
                            : "; its mailbox " + old_mailbox.front() + " is not reused"));
    }
    if (account.password_value.empty())
        plan.warnings.push_back(address.text() + " has no password: it receives mail but cannot "
                                                 "log in until one is set");
    const std::string mailbox = s.layout.mailbox_path(address.folded_local(), domain.name);
    State::add(plan,
               Change::add(s.layout.account_entry(dn, address.local(), domain.name, account,
                                                  mailbox, quota)),
               "the account " + address.text() + ", mailbox " + mailbox);
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::delete_account(std::string_view text) {
    State& s = *state_;
    const Schema& schema = s.schema();
    auto t = account_target(s, text);
    if (!t.is_found())
        return Result<Plan>::failure_of(t);
    const AccountAt& target = t.value();
    if (auto why = s.denied(Action::delete_account, target.domain.domain, target.entry.dn(),
                            target.address.text()))
        return refused(*why);

    Plan plan;
    plan.summary = "delete account " + target.address.text();
    plan.affects_logins = true;
    // Its postmaster roles go first: a later account of the same name (the same DN) must not
    // inherit them.
    auto roles = s.roles_of(target.entry.dn());
    if (!roles.is_found())
        return Result<Plan>::failure_of(roles);
    for (const Entry& role : roles.value()) {
        auto parent = util::parent_dn(role.dn());
        auto domain_entry = parent ? s.read_entry(*parent) : Result<Entry>::not_found("no parent");
        if (domain_entry.is_temp_fail())
            return Result<Plan>::failure_of(domain_entry);
        Domain domain;
        if (domain_entry.is_found() && s.mapper().is_domain(domain_entry.value())) {
            auto d = s.mapper().domain(domain_entry.value());
            if (!d.is_found())
                return Result<Plan>::failure_of(d);
            domain = d.value();
        }
        const std::string shown = domain.name.empty() ? role.dn() : domain.name;
        auto why = s.denied(Action::revoke_postmaster, domain);
        if (!why)
            why = s.last_occupant_denied(role, shown);
        if (why)
            return refused(target.address.text() + " is a postmaster of " + shown + ", and " +
                           *why);
        State::add(plan, s.revoke_change(role, target.entry.dn()),
                   target.address.text() + " leaves the postmasters of " + shown);
    }
    if (s.layout.has_tombstones())
        State::add(
            plan,
            Change::modify(target.entry.dn(), {{Op::replace, schema.deleted_attribute, {"TRUE"}}}),
            "the account " + target.address.text() + " (a tombstone)");
    else
        State::add(plan, Change::remove(target.entry.dn()), "the account " + target.address.text());

    // Aliases still naming it keep working for their other destinations; say which.
    SearchRequest request{s.config.search_base,
                          Scope::subtree,
                          Filter::equals(schema.alias_destination_attribute, target.address.text()),
                          {"objectClass"},
                          0,
                          false};
    auto naming = s.session.search(request, s.deadline());
    if (naming.is_found() && !naming.value().empty())
        plan.warnings.push_back(std::to_string(naming.value().size()) + " alias(es) still name " +
                                target.address.text() + ", e.g. " + naming.value().front().dn());
    plan.warnings.push_back("its Maildir stays on disk; an account created again under this "
                            "name gets a new one");
    return Result<Plan>::found(std::move(plan));
}

Result<Plan> Administration::set_account_active(std::string_view text, bool active) {
    const Schema& schema = state_->schema();
    if (schema.active_attribute.empty())
        return refused(lacks(schema, "active flag", "active_attribute"));
    return modify_account(*state_, text, Action::modify_account,
                          active ? "enable account" : "disable account",
                          {{Op::replace, schema.active_attribute, {Layout::flag(active)}}}, true);
}

Result<Plan> Administration::set_account_name(std::string_view text, std::string_view name) {
    const Schema& schema = state_->schema();
    if (schema.name_attribute.empty())
        return refused(lacks(schema, "name attribute", "name_attribute"));
    if (util::trim(name).empty())
        return refused("the name is empty");
    return modify_account(*state_, text, Action::modify_account, "set the name of",
                          {{Op::replace, schema.name_attribute, {std::string(name)}}}, false);
}

Result<Plan> Administration::set_account_quota(std::string_view text, std::string_view quota) {
    const Schema& schema = state_->schema();
    if (schema.quota_attribute.empty())
        return refused(lacks(schema, "quota attribute", "quota_attribute"));
    if (!quota_bytes(quota))
        return refused("'" + util::printable(quota, 50) + "' is not a quota");
    return modify_account(*state_, text, Action::set_account_quota, "set the quota of",
                          {{Op::replace, schema.quota_attribute, {std::string(quota)}}}, false);
}

Result<Plan> Administration::set_account_password(std::string_view text,
                                                  std::string_view password_value) {
    const Schema& schema = state_->schema();
    if (schema.password_attribute.empty())
        return refused(lacks(schema, "password attribute", "password_attribute"));
    if (password_value.empty())
        return refused("the password is empty");
    return modify_account(*state_, text, Action::set_password, "set the password of",
                          {{Op::replace, schema.password_attribute, {std::string(password_value)}}},
                          true);
}

} // namespace vmaildir
