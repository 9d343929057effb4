// How the directory model (SPEC §1) maps onto an existing LDAP layout.
//
// A Schema is plain data: the objectClass and attribute names of one layout.
// Three presets reproduce the layouts of the seed documents; every name can be
// overridden in the configuration under the key of the same name (see
// schema_keys()).  An empty name means the layout has no such attribute
// (e.g. the courier layout has no active/deleted flags: its entries are
// always live).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmaildir/directory/directory.hpp"

namespace vmaildir {

/// Whether an entry's address attribute holds the whole address or only its local part (the
/// domain then comes from the domain entry above it).
enum class AddressForm { full_address, local_part };

struct Schema {
    std::string preset;

    // Domains: one entry per hosted domain, found below search_base.
    std::string domain_object_class;
    std::string domain_attribute; ///< holds the domain name; also the RDN attribute
    Scope domain_scope = Scope::one_level;
    std::string transport_attribute;
    std::string edit_accounts_attribute;
    std::string edit_postmasters_attribute;

    // Flags shared by domains, accounts and aliases (TRUE/FALSE values).
    std::string active_attribute;
    std::string deleted_attribute;

    // Accounts: an address with a mailbox.
    std::string account_object_class;
    std::string account_address_attribute; ///< also the RDN attribute
    std::string mailbox_attribute;
    std::string home_attribute;
    std::string uid_number_attribute;
    std::string gid_number_attribute;
    std::string quota_attribute;
    std::string password_attribute;
    std::string name_attribute;
    std::string disable_imap_attribute;
    std::string disable_pop3_attribute;

    // Aliases: an address forwarding to destinations.
    std::string alias_object_class;
    std::string alias_address_attribute; ///< also the RDN attribute
    std::string alias_destination_attribute;

    AddressForm address_form = AddressForm::full_address;
    /// With local-part addresses: the attribute on account/alias entries naming their domain,
    /// letting one search fetch a domain and its candidates; empty = search below the domain DN.
    std::string entry_domain_attribute;
    /// With local-part addresses: the local part of the domain's catch-all ("default alias").
    /// Full-address layouts use the address `@domain`.
    std::string catchall_local_part;

    // Delegated administration (SPEC §5).
    std::string postmaster_rdn;              ///< role entry below the domain: "cn=postmaster"
    std::string postmaster_member_attribute; ///< its occupant DNs: "roleOccupant", "member"
    std::string postmaster_account_rdn;      ///< an account below the domain that is always an
                                             ///< admin of it (mailrouter: "uid=postmaster")
    std::string site_admin_group_rdn;        ///< group below search_base listing site admins
    std::string group_member_attribute;      ///< member attribute of that group
};

/// The named preset ("jamm", "courier", "mailrouter"), or nothing for an unknown name.
std::optional<Schema> preset_schema(std::string_view name);

/// Names of the presets, for help texts and error messages.
std::vector<std::string> preset_names();

/// An LDAP filter (RFC 4515 text) that selects the live accounts (by their own flags; a
/// filter cannot see the domain's) whose address attribute equals `placeholder`, inserted
/// verbatim — for tables of other programs that substitute the key themselves, such as
/// Postfix's "%s" or "%u".  Flags must be TRUE/FALSE or absent (absent means live).
std::string live_account_filter(const Schema& schema, std::string_view placeholder);

/// One overridable name: its configuration key and where it lives in a Schema.
struct SchemaKey {
    const char* key;
    std::string Schema::*member;
    const char* help;
};

/// Every configuration key that overrides a name of the preset.
const std::vector<SchemaKey>& schema_keys();

} // namespace vmaildir
