// The three layout presets of SPEC §1 and the per-name override keys
// (vmaildir/model/schema.hpp).
#include "vmaildir/model/schema.hpp"

#include "vmaildir/directory/filter.hpp"

namespace vmaildir {

namespace {

// Jamm (Virtual Mailserver HOWTO rev. 1.1+): jvd=D,<base>; entries mail=A,jvd=D,<base>.
Schema jamm() {
    Schema s;
    s.preset = "jamm";
    s.domain_object_class = "JammVirtualDomain";
    s.domain_attribute = "jvd";
    s.transport_attribute = "postfixTransport";
    s.edit_accounts_attribute = "editAccounts";
    s.edit_postmasters_attribute = "editPostmasters";
    s.active_attribute = "accountActive";
    s.deleted_attribute = "delete";
    s.account_object_class = "JammMailAccount";
    s.account_address_attribute = "mail";
    s.mailbox_attribute = "mailbox";
    s.home_attribute = "homeDirectory";
    s.uid_number_attribute = "uidNumber";
    s.gid_number_attribute = "gidNumber";
    s.quota_attribute = "quota";
    s.password_attribute = "userPassword";
    s.name_attribute = "cn";
    s.alias_object_class = "JammMailAlias";
    s.alias_address_attribute = "mail";
    s.alias_destination_attribute = "maildrop";
    s.address_form = AddressForm::full_address;
    s.postmaster_rdn = "cn=postmaster";
    s.postmaster_member_attribute = "roleOccupant";
    s.group_member_attribute = "member";
    return s;
}

// Linux Journal #106 layout read by Courier authldap: o=D,<base>; no flags.
Schema courier() {
    Schema s;
    s.preset = "courier";
    s.domain_object_class = "organization";
    s.domain_attribute = "o";
    s.account_object_class = "CourierMailAccount";
    s.account_address_attribute = "mail";
    s.mailbox_attribute = "mailbox";
    s.home_attribute = "homeDirectory";
    s.uid_number_attribute = "uidNumber";
    s.gid_number_attribute = "gidNumber";
    s.quota_attribute = "quota";
    s.password_attribute = "userPassword";
    s.name_attribute = "cn";
    s.disable_imap_attribute = "disableimap";
    s.disable_pop3_attribute = "disablepop3";
    s.alias_object_class = "CourierMailAlias";
    s.alias_address_attribute = "mail";
    s.alias_destination_attribute = "maildrop";
    s.address_form = AddressForm::full_address;
    s.postmaster_rdn = "cn=postmaster";
    s.postmaster_member_attribute = "roleOccupant";
    s.group_member_attribute = "member";
    return s;
}

// "SMTP Mail Routing using Exim and LDAP": dc=D,<base>; uid=U / mailAlias=U below it, each
// entry carrying dc=D too; admins in groupOfNames cn=admin at both levels.
Schema mailrouter() {
    Schema s;
    s.preset = "mailrouter";
    s.domain_object_class = "mailDomain";
    s.domain_attribute = "dc";
    s.account_object_class = "mailUser";
    s.account_address_attribute = "uid";
    s.mailbox_attribute = "mailMessageStore";
    s.home_attribute = "homeDirectory";
    s.uid_number_attribute = "uidNumber";
    s.gid_number_attribute = "gidNumber";
    s.quota_attribute = "mailQuota";
    s.password_attribute = "userPassword";
    s.name_attribute = "cn";
    s.alias_object_class = "mailAlias";
    s.alias_address_attribute = "mailAlias";
    s.alias_destination_attribute = "mailAliasedName";
    s.address_form = AddressForm::local_part;
    s.entry_domain_attribute = "dc";
    s.catchall_local_part = "default";
    s.postmaster_rdn = "cn=admin";
    s.postmaster_member_attribute = "member";
    s.postmaster_account_rdn = "uid=postmaster";
    s.site_admin_group_rdn = "cn=admin";
    s.group_member_attribute = "member";
    return s;
}

} // namespace

std::optional<Schema> preset_schema(std::string_view name) {
    if (name == "jamm")
        return jamm();
    if (name == "courier")
        return courier();
    if (name == "mailrouter")
        return mailrouter();
    return std::nullopt;
}

std::string live_account_filter(const Schema& schema, std::string_view placeholder) {
    // Built as a Filter so that every name is escaped like any other filter; the placeholder
    // goes in as a plain-letters sentinel, replaced afterwards so it stays unescaped.
    const std::string sentinel = "VMAILDIRKEYPLACEHOLDER";
    std::vector<Filter> parts{Filter::equals("objectClass", schema.account_object_class),
                              Filter::equals(schema.account_address_attribute, sentinel)};
    if (!schema.active_attribute.empty())
        parts.push_back(Filter::any_of({Filter::equals(schema.active_attribute, "TRUE"),
                                        Filter::negate(Filter::present(schema.active_attribute))}));
    if (!schema.deleted_attribute.empty())
        parts.push_back(
            Filter::any_of({Filter::equals(schema.deleted_attribute, "FALSE"),
                            Filter::negate(Filter::present(schema.deleted_attribute))}));
    std::string text = Filter::all_of(std::move(parts)).to_string();
    text.replace(text.find(sentinel), sentinel.size(), placeholder);
    return text;
}

std::vector<std::string> preset_names() { return {"jamm", "courier", "mailrouter"}; }

const std::vector<SchemaKey>& schema_keys() {
    static const std::vector<SchemaKey> keys = {
        {"domain_object_class", &Schema::domain_object_class, "objectClass of domain entries"},
        {"domain_attribute", &Schema::domain_attribute,
         "attribute holding the domain name (and its RDN)"},
        {"transport_attribute", &Schema::transport_attribute,
         "domain attribute with the Postfix transport"},
        {"edit_accounts_attribute", &Schema::edit_accounts_attribute,
         "domain capability: its postmasters may create and delete accounts"},
        {"edit_postmasters_attribute", &Schema::edit_postmasters_attribute,
         "domain capability: its postmasters may appoint postmasters"},
        {"active_attribute", &Schema::active_attribute, "TRUE/FALSE active flag"},
        {"deleted_attribute", &Schema::deleted_attribute, "TRUE/FALSE deleted flag"},
        {"account_object_class", &Schema::account_object_class, "objectClass of accounts"},
        {"account_address_attribute", &Schema::account_address_attribute,
         "account attribute holding the address (or local part)"},
        {"mailbox_attribute", &Schema::mailbox_attribute, "Maildir path of an account"},
        {"home_attribute", &Schema::home_attribute, "home directory of an account"},
        {"uid_number_attribute", &Schema::uid_number_attribute, "numeric uid of an account"},
        {"gid_number_attribute", &Schema::gid_number_attribute, "numeric gid of an account"},
        {"quota_attribute", &Schema::quota_attribute, "quota of an account"},
        {"password_attribute", &Schema::password_attribute, "password of an account"},
        {"name_attribute", &Schema::name_attribute, "full name of an account"},
        {"disable_imap_attribute", &Schema::disable_imap_attribute,
         "account flag: no IMAP logins"},
        {"disable_pop3_attribute", &Schema::disable_pop3_attribute,
         "account flag: no POP3 logins"},
        {"alias_object_class", &Schema::alias_object_class, "objectClass of aliases"},
        {"alias_address_attribute", &Schema::alias_address_attribute,
         "alias attribute holding the address (or local part)"},
        {"alias_destination_attribute", &Schema::alias_destination_attribute,
         "alias attribute listing its destinations"},
        {"entry_domain_attribute", &Schema::entry_domain_attribute,
         "local-part layouts: entry attribute naming the domain"},
        {"catchall_local_part", &Schema::catchall_local_part,
         "local-part layouts: local part of the catch-all alias"},
        {"postmaster_rdn", &Schema::postmaster_rdn, "RDN of the postmaster role below a domain"},
        {"postmaster_member_attribute", &Schema::postmaster_member_attribute,
         "attribute of the role listing its occupants"},
        {"postmaster_account_rdn", &Schema::postmaster_account_rdn,
         "RDN of an account below a domain that always administers it"},
        {"site_admin_group_rdn", &Schema::site_admin_group_rdn,
         "RDN below search_base of the site administrators' group"},
        {"group_member_attribute", &Schema::group_member_attribute,
         "member attribute of the site administrators' group"},
    };
    return keys;
}

} // namespace vmaildir
