// New entries in the configured layout (layout.hpp).
#include "admin/layout.hpp"

#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

// A name as a path component: anything but letters, digits and ._+=- becomes '_', and a
// leading dot too, so that no address can climb out of the mail base ("../x") or hide.
std::string path_safe(std::string_view text) {
    std::string out;
    for (char c : text) {
        const unsigned char u = static_cast<unsigned char>(c);
        const bool keep = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') ||
                          (u >= '0' && u <= '9') || c == '.' || c == '_' || c == '+' || c == '=' ||
                          c == '-';
        out += keep ? static_cast<char>(std::tolower(u)) : '_';
    }
    if (out.empty() || out.front() == '.')
        out.insert(out.begin(), '_');
    return out;
}

std::string surname(const std::string& name, const std::string& local) {
    std::string_view n = util::trim(name);
    if (n.empty())
        return local;
    auto space = n.rfind(' ');
    return std::string(space == std::string_view::npos ? n : n.substr(space + 1));
}

} // namespace

Layout::Layout(const Schema& schema, const Config& config, std::function<std::string()> stamp)
    : schema_(schema), search_base_(config.search_base), new_account_(config.new_account),
      stamp_(std::move(stamp)) {
    if (new_account_.mailbox_template.empty())
        new_account_.mailbox_template =
            schema_.preset == "mailrouter" ? "%h/%d/%l.%s/" : "%d/%l.%s/";
}

void Layout::add_flags(Entry& entry) const {
    if (!schema_.active_attribute.empty())
        entry.add(schema_.active_attribute, flag(true));
    if (!schema_.deleted_attribute.empty())
        entry.add(schema_.deleted_attribute, flag(false));
}

std::string Layout::domain_dn(const std::string& domain) const {
    return util::make_dn(schema_.domain_attribute, domain, search_base_);
}

Entry Layout::domain_entry(const std::string& domain, const NewDomain& options) const {
    Entry e(domain_dn(domain));
    e.add("objectClass", "top");
    e.add("objectClass", schema_.domain_object_class);
    e.add(schema_.domain_attribute, domain);
    if (options.transport && !schema_.transport_attribute.empty())
        e.add(schema_.transport_attribute, *options.transport);
    if (!schema_.active_attribute.empty())
        e.add(schema_.active_attribute, flag(options.active));
    if (!schema_.deleted_attribute.empty())
        e.add(schema_.deleted_attribute, flag(false));
    if (options.edit_accounts && !schema_.edit_accounts_attribute.empty())
        e.add(schema_.edit_accounts_attribute, flag(*options.edit_accounts));
    if (options.edit_postmasters && !schema_.edit_postmasters_attribute.empty())
        e.add(schema_.edit_postmasters_attribute, flag(*options.edit_postmasters));
    return e;
}

std::string Layout::account_dn(const std::string& domain_dn, const std::string& local,
                               const std::string& domain) const {
    const std::string stored =
        schema_.address_form == AddressForm::full_address ? local + "@" + domain : local;
    return util::make_dn(schema_.account_address_attribute, stored, domain_dn);
}

std::string Layout::alias_dn(const std::string& domain_dn, const std::string& local,
                             const std::string& domain) const {
    if (role_is_postmaster_alias() && util::iequals(local, "postmaster"))
        return role_dn(domain_dn);
    std::string stored;
    if (schema_.address_form == AddressForm::full_address)
        stored = local + "@" + domain;
    else
        stored = local.empty() ? schema_.catchall_local_part : local;
    return util::make_dn(schema_.alias_address_attribute, stored, domain_dn);
}

std::string Layout::mailbox_path(const std::string& local, const std::string& domain) const {
    const std::string& t = new_account_.mailbox_template;
    std::string out;
    for (std::size_t i = 0; i < t.size(); ++i) {
        if (t[i] != '%' || i + 1 == t.size()) {
            out += t[i];
            continue;
        }
        switch (t[++i]) {
        case 'd':
            out += path_safe(domain);
            break;
        case 'l':
            out += path_safe(local);
            break;
        case 'h':
            out += new_account_.home;
            break;
        case 's':
            out += path_safe(stamp_());
            break;
        default:
            out += t[i];
            break; // "%%"; the configuration refuses other letters
        }
    }
    return out;
}

Entry Layout::account_entry(const std::string& dn, const std::string& local,
                            const std::string& domain, const NewAccount& account,
                            const std::string& mailbox, const std::string& quota) const {
    const std::string name = account.name.empty() ? local : account.name;
    Entry e(dn);
    e.add("objectClass", "top");
    if (schema_.preset == "courier")
        e.add("objectClass", "inetOrgPerson"); // CourierMailAccount is auxiliary
    e.add("objectClass", schema_.account_object_class);
    if (schema_.preset == "mailrouter")
        e.add("objectClass", "posixAccount");
    e.add(schema_.account_address_attribute,
          schema_.address_form == AddressForm::full_address ? local + "@" + domain : local);
    if (!schema_.entry_domain_attribute.empty())
        e.add(schema_.entry_domain_attribute, domain);
    if (!schema_.name_attribute.empty())
        e.add(schema_.name_attribute, name);
    if (schema_.preset == "courier" || schema_.preset == "mailrouter")
        e.add("sn", surname(account.name, local)); // inetOrgPerson requires it
    if (!schema_.home_attribute.empty())
        e.add(schema_.home_attribute, new_account_.home);
    if (!schema_.mailbox_attribute.empty())
        e.add(schema_.mailbox_attribute, mailbox);
    if (!schema_.uid_number_attribute.empty())
        e.add(schema_.uid_number_attribute, std::to_string(new_account_.uid));
    if (!schema_.gid_number_attribute.empty())
        e.add(schema_.gid_number_attribute, std::to_string(new_account_.gid));
    if (schema_.preset == "mailrouter")
        e.add("loginShell", "/usr/sbin/nologin");
    if (!quota.empty() && !schema_.quota_attribute.empty())
        e.add(schema_.quota_attribute, quota);
    if (!account.password_value.empty() && !schema_.password_attribute.empty())
        e.add(schema_.password_attribute, account.password_value);
    add_flags(e);
    return e;
}

Entry Layout::alias_entry(const std::string& dn, const std::string& local,
                          const std::string& domain,
                          const std::vector<std::string>& destinations) const {
    Entry e(dn);
    e.add("objectClass", "top");
    if (schema_.preset == "courier")
        e.add("objectClass", "organizationalRole"); // CourierMailAlias is auxiliary
    e.add("objectClass", schema_.alias_object_class);
    auto rdn = util::parse_dn(dn);
    const bool role_alias = role_is_postmaster_alias() && util::iequals(local, "postmaster");
    if (role_alias || schema_.preset == "courier") {
        // The RDN's own attribute (cn=postmaster), or organizationalRole's required cn.
        std::string cn = local.empty() ? "catch-all" : local;
        if (role_alias && rdn && !rdn->empty() && !rdn->front().empty())
            e.add(rdn->front().front().type, rdn->front().front().value);
        else
            e.add("cn", cn);
    }
    if (schema_.address_form == AddressForm::full_address)
        e.add(schema_.alias_address_attribute, local + "@" + domain);
    else
        e.add(schema_.alias_address_attribute, local.empty() ? schema_.catchall_local_part : local);
    if (!schema_.entry_domain_attribute.empty())
        e.add(schema_.entry_domain_attribute, domain);
    for (const std::string& d : destinations)
        e.add(schema_.alias_destination_attribute, d);
    add_flags(e);
    return e;
}

std::string Layout::role_dn(const std::string& domain_dn) const {
    if (schema_.postmaster_rdn.empty() || schema_.postmaster_member_attribute.empty())
        return {};
    return schema_.postmaster_rdn + "," + domain_dn;
}

bool Layout::role_is_postmaster_alias() const {
    return (schema_.preset == "jamm" || schema_.preset == "courier") && !role_dn("x=y").empty();
}

std::string Layout::occupied_role_class() const {
    return schema_.preset == "jamm" ? "JammPostmaster" : "";
}

bool Layout::role_needs_an_occupant() const {
    return !role_is_postmaster_alias();
}

Entry Layout::role_entry(const std::string& dn, const std::string& domain,
                         const std::string& occupant,
                         const std::vector<std::string>& destinations) const {
    Entry e;
    if (role_is_postmaster_alias()) {
        e = alias_entry(dn, "postmaster", domain, destinations);
        if (!occupied_role_class().empty())
            e.add("objectClass", occupied_role_class());
    } else {
        e = Entry(dn);
        e.add("objectClass", "top");
        e.add("objectClass", "groupOfNames");
        auto rdn = util::parse_dn(dn);
        if (rdn && !rdn->empty() && !rdn->front().empty())
            e.add(rdn->front().front().type, rdn->front().front().value);
    }
    e.add(schema_.postmaster_member_attribute, occupant);
    return e;
}

} // namespace vmaildir
