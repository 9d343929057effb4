// From directory entries to the mail model (entry_mapper.hpp): classification,
// flags, and what makes an entry malformed.
#include "model/entry_mapper.hpp"

#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <charconv>

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
        return Result<bool>::temp_fail("malformed entry " + e.dn() + ": " + attribute + " is '" +
                                       util::printable(v.value()) + "', expected TRUE or FALSE");
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

/// Whether a mailbox or home path could lead out of where it is put: a ".." segment, or a
/// control character (a NUL ends it early for the C library).
bool leaves_its_place(std::string_view path) {
    for (unsigned char c : path)
        if (c < 0x20 || c == 0x7f)
            return true;
    std::size_t start = 0;
    while (start <= path.size()) {
        std::size_t slash = path.find('/', start);
        std::string_view segment =
            path.substr(start, slash == std::string_view::npos ? std::string_view::npos
                                                               : slash - start);
        if (segment == "..")
            return true;
        if (slash == std::string_view::npos)
            break;
        start = slash + 1;
    }
    return false;
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
         {&schema_.domain_attribute, &schema_.transport_attribute, &schema_.edit_accounts_attribute,
          &schema_.edit_postmasters_attribute, &schema_.active_attribute,
          &schema_.deleted_attribute, &schema_.account_address_attribute,
          &schema_.mailbox_attribute, &schema_.home_attribute, &schema_.uid_number_attribute,
          &schema_.gid_number_attribute, &schema_.quota_attribute, &schema_.name_attribute,
          &schema_.disable_imap_attribute, &schema_.disable_pop3_attribute,
          &schema_.alias_address_attribute, &schema_.alias_destination_attribute,
          &schema_.entry_domain_attribute})
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
    for (const std::string* reason :
         {&transport.reason(), &f.reason(), &edit.reason(), &appoint.reason()})
        if (!reason->empty())
            return Result<Domain>::temp_fail(*reason);
    d.transport = std::string(util::trim(transport.value()));
    d.flags = f.value();
    d.can_edit_accounts = edit.value();
    d.can_appoint_postmasters = appoint.value();
    return Result<Domain>::found(std::move(d));
}

std::string EntryMapper::stored_address(const std::string& local, const std::string& domain) const {
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
    for (const std::string* reason :
         {&mailbox.reason(), &home.reason(), &quota.reason(), &uid.reason(), &gid.reason(),
          &f.reason(), &no_imap.reason(), &no_pop3.reason()})
        if (!reason->empty())
            return Result<Account>::temp_fail(*reason);
    if (settings_.entry_uid_used && uid.value() && *uid.value() < settings_.minimum_uid)
        return Result<Account>::temp_fail("malformed entry " + e.dn() + ": " +
                                          schema_.uid_number_attribute + " " +
                                          std::to_string(*uid.value()) + " is below minimum_uid (" +
                                          std::to_string(settings_.minimum_uid) + ")");
    if (settings_.entry_gid_used && gid.value() && *gid.value() == 0)
        return Result<Account>::temp_fail("malformed entry " + e.dn() + ": " +
                                          schema_.gid_number_attribute + " 0 is root's group");
    for (const auto& [attribute, path] :
         {std::pair<const std::string*, std::string_view>{&schema_.mailbox_attribute,
                                                          util::trim(mailbox.value())},
          {&schema_.home_attribute, util::trim(home.value())}})
        if (leaves_its_place(path))
            return Result<Account>::temp_fail("malformed entry " + e.dn() + ": " + *attribute +
                                              " '" + util::printable(path) +
                                              "' has a '..' segment or a control character");
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
        return Result<Alias>::temp_fail("malformed entry " + e.dn() + ": no address for " + domain);
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

} // namespace vmaildir
