#include "core/mail_reader.hpp"

#include <algorithm>
#include <charconv>

#include "util/dn.hpp"
#include "util/text.hpp"

namespace vmaildir {

namespace {

/// One value of a single-valued attribute: nothing when absent, temp_fail when several.
Result<std::string> single(const Entry& e, const std::string& attribute) {
    if (attribute.empty())
        return Result<std::string>::found({});
    const auto& values = e.values(attribute);
    if (values.size() > 1)
        return Result<std::string>::temp_fail("malformed entry " + e.dn() + ": " + attribute +
                                              " has " + std::to_string(values.size()) +
                                              " values where one is expected");
    return Result<std::string>::found(values.empty() ? std::string() : values.front());
}

/// A TRUE/FALSE attribute; `fallback` when the attribute is absent or not in the layout.
Result<bool> boolean(const Entry& e, const std::string& attribute, bool fallback) {
    auto v = single(e, attribute);
    if (!v.is_found())
        return Result<bool>::failure_of(v);
    if (v.value().empty())
        return Result<bool>::found(fallback);
    bool ok = false;
    bool b = util::parse_bool(v.value(), ok);
    if (!ok)
        return Result<bool>::temp_fail("malformed entry " + e.dn() + ": " + attribute +
                                       " is '" + util::printable(v.value()) +
                                       "', expected TRUE or FALSE");
    return Result<bool>::found(b);
}

Result<std::optional<unsigned long>> number(const Entry& e, const std::string& attribute) {
    auto v = single(e, attribute);
    if (!v.is_found())
        return Result<std::optional<unsigned long>>::failure_of(v);
    std::string_view s = util::trim(v.value());
    if (s.empty())
        return Result<std::optional<unsigned long>>::found(std::nullopt);
    unsigned long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || end != s.data() + s.size() || n > 4294967295UL)
        return Result<std::optional<unsigned long>>::temp_fail(
            "malformed entry " + e.dn() + ": " + attribute + " is '" + util::printable(s) +
            "', expected a number");
    return Result<std::optional<unsigned long>>::found(n);
}

void add_unique(std::vector<std::string>& list, const std::string& name) {
    if (name.empty())
        return;
    for (const std::string& n : list)
        if (util::iequals(n, name))
            return;
    list.push_back(name);
}

} // namespace

EntryMapper::EntryMapper(Schema schema, ModelSettings settings)
    : schema_(std::move(schema)), settings_(std::move(settings)),
      normalised_search_base_(util::normalise_dn(settings_.search_base)) {
    // The password attribute is deliberately absent: lookups never carry secrets into the
    // process (or its cache); password checks fetch it on their own.
    for (const std::string* a :
         {&schema_.domain_attribute, &schema_.transport_attribute,
          &schema_.edit_accounts_attribute, &schema_.edit_postmasters_attribute,
          &schema_.active_attribute, &schema_.deleted_attribute,
          &schema_.account_address_attribute, &schema_.mailbox_attribute,
          &schema_.home_attribute, &schema_.uid_number_attribute, &schema_.gid_number_attribute,
          &schema_.quota_attribute, &schema_.name_attribute, &schema_.disable_imap_attribute,
          &schema_.disable_pop3_attribute, &schema_.alias_address_attribute,
          &schema_.alias_destination_attribute, &schema_.entry_domain_attribute})
        add_unique(attributes_, *a);
    add_unique(attributes_, "objectClass");
}

bool EntryMapper::is_domain(const Entry& e) const {
    return e.has_value("objectClass", schema_.domain_object_class);
}

bool EntryMapper::is_account(const Entry& e) const {
    return e.has_value("objectClass", schema_.account_object_class);
}

bool EntryMapper::is_alias(const Entry& e) const {
    return e.has_value("objectClass", schema_.alias_object_class) ||
           (is_account(e) && e.has(schema_.alias_destination_attribute));
}

Result<Flags> EntryMapper::flags(const Entry& e) const {
    auto active = boolean(e, schema_.active_attribute, true);
    if (!active.is_found())
        return Result<Flags>::failure_of(active);
    auto deleted = boolean(e, schema_.deleted_attribute, false);
    if (!deleted.is_found())
        return Result<Flags>::failure_of(deleted);
    return Result<Flags>::found(Flags{active.value(), deleted.value()});
}

Result<Domain> EntryMapper::domain(const Entry& e) const {
    Domain d;
    d.dn = e.dn();
    auto name = single(e, schema_.domain_attribute);
    if (!name.is_found())
        return Result<Domain>::failure_of(name);
    d.name = util::ascii_lower(util::trim(name.value()));
    auto transport = single(e, schema_.transport_attribute);
    auto f = flags(e);
    auto edit = boolean(e, schema_.edit_accounts_attribute, settings_.edit_accounts_default);
    auto appoint =
        boolean(e, schema_.edit_postmasters_attribute, settings_.edit_postmasters_default);
    for (const std::string* reason : {&transport.reason(), &f.reason(), &edit.reason(),
                                      &appoint.reason()})
        if (!reason->empty())
            return Result<Domain>::temp_fail(*reason);
    d.transport = std::string(util::trim(transport.value()));
    d.flags = f.value();
    d.can_edit_accounts = edit.value();
    d.can_appoint_postmasters = appoint.value();
    return Result<Domain>::found(std::move(d));
}

std::string EntryMapper::stored_address(const std::string& local,
                                        const std::string& domain) const {
    if (schema_.address_form == AddressForm::full_address)
        return local + "@" + domain;
    return local.empty() ? schema_.catchall_local_part : local;
}

std::vector<std::string> EntryMapper::local_parts(const Entry& e, bool as_alias,
                                                  const std::string& domain) const {
    const std::string& attribute = as_alias && !is_account(e) ? schema_.alias_address_attribute
                                                              : schema_.account_address_attribute;
    auto fold = [&](std::string s) {
        return settings_.address.case_sensitive_local_part ? s : util::ascii_lower(s);
    };
    std::vector<std::string> out;
    for (const std::string& raw : e.values(attribute)) {
        std::string value(util::trim(raw));
        if (schema_.address_form == AddressForm::full_address) {
            auto at = value.rfind('@');
            if (at == std::string::npos || util::ascii_lower(value.substr(at + 1)) != domain)
                continue;
            out.push_back(fold(value.substr(0, at))); // "@domain" gives "", the catch-all
        } else if (as_alias && util::iequals(value, schema_.catchall_local_part)) {
            out.emplace_back();
        } else if (!value.empty()) {
            out.push_back(fold(value));
        }
    }
    return out;
}

Result<Account> EntryMapper::account(const Entry& e, const std::string& domain) const {
    Account a;
    a.dn = e.dn();
    auto locals = local_parts(e, false, domain);
    if (locals.empty() || locals.front().empty())
        return Result<Account>::temp_fail("malformed entry " + e.dn() + ": no address in " +
                                          schema_.account_address_attribute + " for " + domain);
    // Keep the stored spelling of the local part for answers; the domain is lower-cased.
    a.address = locals.front() + "@" + domain;
    for (const std::string& raw : e.values(schema_.account_address_attribute)) {
        std::string value(util::trim(raw));
        std::string local = schema_.address_form == AddressForm::full_address
                                ? value.substr(0, value.rfind('@'))
                                : value;
        if (util::iequals(local, locals.front())) {
            a.address = local + "@" + domain;
            break;
        }
    }
    auto mailbox = single(e, schema_.mailbox_attribute);
    auto home = single(e, schema_.home_attribute);
    auto quota = single(e, schema_.quota_attribute);
    auto uid = number(e, schema_.uid_number_attribute);
    auto gid = number(e, schema_.gid_number_attribute);
    auto f = flags(e);
    auto no_imap = boolean(e, schema_.disable_imap_attribute, false);
    auto no_pop3 = boolean(e, schema_.disable_pop3_attribute, false);
    for (const std::string* reason : {&mailbox.reason(), &home.reason(), &quota.reason(),
                                      &uid.reason(), &gid.reason(), &f.reason(),
                                      &no_imap.reason(), &no_pop3.reason()})
        if (!reason->empty())
            return Result<Account>::temp_fail(*reason);
    a.mailbox = std::string(util::trim(mailbox.value()));
    a.home = std::string(util::trim(home.value()));
    a.quota = std::string(util::trim(quota.value()));
    a.uid = uid.value();
    a.gid = gid.value();
    a.flags = f.value();
    a.disable_imap = no_imap.value();
    a.disable_pop3 = no_pop3.value();
    if (!schema_.name_attribute.empty() && e.has(schema_.name_attribute))
        a.name = e.values(schema_.name_attribute).front();
    if (!schema_.password_attribute.empty() && e.has(schema_.password_attribute))
        a.password = e.values(schema_.password_attribute).front();
    return Result<Account>::found(std::move(a));
}

Result<Alias> EntryMapper::alias(const Entry& e, const std::string& domain) const {
    Alias a;
    a.dn = e.dn();
    auto locals = local_parts(e, true, domain);
    if (locals.empty())
        return Result<Alias>::temp_fail("malformed entry " + e.dn() + ": no address for " +
                                        domain);
    a.catch_all = locals.front().empty();
    a.address = locals.front() + "@" + domain;
    auto f = flags(e);
    if (!f.is_found())
        return Result<Alias>::failure_of(f);
    a.flags = f.value();
    for (const std::string& d : e.values(schema_.alias_destination_attribute)) {
        std::string dest(util::trim(d));
        if (!dest.empty())
            a.destinations.push_back(std::move(dest));
    }
    if (a.destinations.empty())
        return Result<Alias>::temp_fail("malformed entry " + e.dn() + ": alias without " +
                                        schema_.alias_destination_attribute);
    return Result<Alias>::found(std::move(a));
}

MailReader::MailReader(Directory& directory, const EntryMapper& mapper)
    : directory_(directory), mapper_(mapper) {}

Filter MailReader::domain_filter(const std::string& domain) const {
    const Schema& s = mapper_.schema();
    return Filter::all_of({Filter::equals("objectClass", s.domain_object_class),
                           Filter::equals(s.domain_attribute, domain)});
}

Filter MailReader::entry_filter(const std::string& domain,
                                const std::vector<std::string>& locals) const {
    // Only the addresses: entries are classified by objectClass after the search and must lie
    // below the domain's entry, so objectClass terms would add nothing but cost (every term is
    // work for libldap's filter encoder and for slapd).
    const Schema& s = mapper_.schema();
    const bool one_attribute = util::iequals(s.account_address_attribute, s.alias_address_attribute);
    std::vector<Filter> any;
    auto add = [&](const std::string& attribute, bool with_catch_all) {
        for (const std::string& l : locals)
            if (!l.empty() || with_catch_all)
                any.push_back(Filter::equals(attribute, mapper_.stored_address(l, domain)));
    };
    add(s.account_address_attribute, one_attribute);
    if (!one_attribute)
        add(s.alias_address_attribute, true);
    Filter f = Filter::any_of(std::move(any));
    if (s.address_form == AddressForm::local_part && !s.entry_domain_attribute.empty())
        f = Filter::all_of({Filter::equals(s.entry_domain_attribute, domain), std::move(f)});
    return f;
}

Result<Candidates> MailReader::candidates(const std::string& domain,
                                          const std::vector<std::string>& local_parts,
                                          Deadline deadline) {
    const Schema& s = mapper_.schema();
    const ModelSettings& m = mapper_.settings();
    Candidates c;
    std::vector<Entry> found;
    bool one_search = s.address_form == AddressForm::full_address || !s.entry_domain_attribute.empty();
    if (one_search) {
        SearchRequest request{m.search_base, Scope::subtree,
                              Filter::any_of({domain_filter(domain),
                                              entry_filter(domain, local_parts)}),
                              mapper_.attributes(), m.size_limit, false};
        auto r = directory_.search(request, deadline);
        if (!r.is_found())
            return Result<Candidates>::failure_of(r);
        found = std::move(r).value();
    } else {
        auto domains = domain_entries(domain, deadline);
        if (!domains.is_found())
            return Result<Candidates>::failure_of(domains);
        found = std::move(domains).value();
        if (found.size() == 1) {
            SearchRequest request{found.front().dn(), Scope::subtree,
                                  entry_filter(domain, local_parts), mapper_.attributes(),
                                  m.size_limit, true};
            auto r = directory_.search(request, deadline);
            if (!r.is_found())
                return Result<Candidates>::failure_of(r);
            for (Entry& e : std::move(r).value())
                found.push_back(std::move(e));
        }
    }
    for (Entry& e : found) {
        if (mapper_.is_domain(e)) {
            bool named = false;
            for (const std::string& v : e.values(s.domain_attribute))
                named = named || util::iequals(util::trim(v), domain);
            bool placed = s.domain_scope != Scope::one_level ||
                          util::normalise_dn(util::parent_dn(e.dn()).value_or("")) ==
                              mapper_.normalised_search_base();
            if (named && placed)
                c.domains.push_back(std::move(e));
        } else if (mapper_.is_account(e) || mapper_.is_alias(e)) {
            c.entries.push_back(std::move(e));
        }
    }
    // Only entries below the (single) domain entry belong to the domain: an entry elsewhere
    // in the tree that happens to carry the address is not ours to deliver to.
    auto base = c.domains.size() == 1 ? util::try_normalise_dn(c.domains.front().dn())
                                      : std::nullopt;
    if (base) {
        const std::string& raw_base = c.domains.front().dn();
        std::erase_if(c.entries, [&](const Entry& e) {
            // The server spells DNs of one subtree alike: "...,<domain DN>" needs no parsing.
            const std::string& dn = e.dn();
            if (dn.size() > raw_base.size() + 1 &&
                dn.compare(dn.size() - raw_base.size(), raw_base.size(), raw_base) == 0 &&
                dn[dn.size() - raw_base.size() - 1] == ',' &&
                (dn.size() < raw_base.size() + 2 || dn[dn.size() - raw_base.size() - 2] != '\\'))
                return false;
            auto normalised = util::try_normalise_dn(dn);
            return !normalised || !util::normalised_within(*normalised, *base);
        });
    } else {
        c.entries.clear();
    }
    return Result<Candidates>::found(std::move(c));
}

Result<std::vector<Entry>> MailReader::domain_entries(const std::string& domain,
                                                      Deadline deadline) {
    const Schema& s = mapper_.schema();
    const ModelSettings& m = mapper_.settings();
    SearchRequest request{m.search_base, s.domain_scope, domain_filter(domain),
                          mapper_.attributes(), m.size_limit, false};
    return directory_.search(request, deadline);
}

Result<std::vector<std::string>> MailReader::postmasters(const Domain& domain, Deadline deadline) {
    const Schema& s = mapper_.schema();
    std::vector<std::string> out;
    if (!s.postmaster_rdn.empty() && !s.postmaster_member_attribute.empty()) {
        SearchRequest request{s.postmaster_rdn + "," + domain.dn, Scope::base,
                              Filter::present("objectClass"),
                              {s.postmaster_member_attribute}, 1, true};
        auto r = directory_.search(request, deadline);
        if (!r.is_found())
            return Result<std::vector<std::string>>::failure_of(r);
        for (const Entry& e : r.value())
            for (const std::string& dn : e.values(s.postmaster_member_attribute))
                out.push_back(dn);
    }
    if (!s.postmaster_account_rdn.empty())
        out.push_back(s.postmaster_account_rdn + "," + domain.dn);
    return Result<std::vector<std::string>>::found(std::move(out));
}

Result<std::vector<std::string>> MailReader::group_members(const std::string& group_dn,
                                                           Deadline deadline) {
    const Schema& s = mapper_.schema();
    std::vector<std::string> attrs{s.group_member_attribute, "roleOccupant", "uniqueMember"};
    SearchRequest request{group_dn, Scope::base, Filter::present("objectClass"), attrs, 1, true};
    auto r = directory_.search(request, deadline);
    if (!r.is_found())
        return Result<std::vector<std::string>>::failure_of(r);
    if (r.value().empty())
        return Result<std::vector<std::string>>::not_found("no group " + group_dn);
    std::vector<std::string> out;
    for (const std::string& a : attrs)
        for (const std::string& dn : r.value().front().values(a))
            out.push_back(dn);
    return Result<std::vector<std::string>>::found(std::move(out));
}

Result<Entry> MailReader::entry(const std::string& dn, bool with_password, Deadline deadline) {
    std::vector<std::string> attrs = mapper_.attributes();
    if (with_password && !mapper_.schema().password_attribute.empty())
        attrs.push_back(mapper_.schema().password_attribute);
    SearchRequest request{dn, Scope::base, Filter::present("objectClass"), attrs, 1, true};
    auto r = directory_.search(request, deadline);
    if (!r.is_found())
        return Result<Entry>::failure_of(r);
    if (r.value().empty())
        return Result<Entry>::not_found("no entry " + dn);
    return Result<Entry>::found(std::move(r).value().front());
}

Result<std::vector<Entry>> MailReader::everything(Deadline deadline) {
    const Schema& s = mapper_.schema();
    SearchRequest request{mapper_.settings().search_base, Scope::subtree,
                          Filter::any_of({Filter::equals("objectClass", s.domain_object_class),
                                          Filter::equals("objectClass", s.account_object_class),
                                          Filter::equals("objectClass", s.alias_object_class)}),
                          mapper_.attributes(), 0, false};
    return directory_.search(request, deadline);
}

} // namespace vmaildir
