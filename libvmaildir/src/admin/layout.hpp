// How new entries look in the configured layout (SPEC §1 presets): their DNs,
// object classes and attributes.  The names come from the Schema, so overrides
// in the configuration apply; what a Schema does not name (the structural
// classes a preset's auxiliary classes need, attributes its schema requires)
// comes from the preset: jamm (Jamm's schema), courier (authldap.schema over
// inetOrgPerson / organizationalRole) and mailrouter (mailUser + posixAccount,
// groupOfNames for the domain admins).
#pragma once

#include "vmaildir/admin/admin.hpp"
#include "vmaildir/directory/entry.hpp"
#include "vmaildir/model/schema.hpp"

#include <functional>
#include <string>
#include <vector>

namespace vmaildir {

class Layout {
public:
    /// `stamp` gives the unique part of a new mailbox path (%s).
    Layout(const Schema& schema, const Config& config, std::function<std::string()> stamp);

    const Schema& schema() const noexcept { return schema_; }
    bool has_flags() const { return !schema_.active_attribute.empty(); }
    bool has_tombstones() const { return !schema_.deleted_attribute.empty(); }

    std::string domain_dn(const std::string& domain) const;
    Entry domain_entry(const std::string& domain, const NewDomain& options) const;

    /// An account or alias of `domain` below the domain entry `domain_dn`; `local` empty is the
    /// catch-all.  The postmaster alias of a layout whose role entry is that alias lives at
    /// the role's DN.
    std::string account_dn(const std::string& domain_dn, const std::string& local,
                           const std::string& domain) const;
    std::string alias_dn(const std::string& domain_dn, const std::string& local,
                         const std::string& domain) const;
    /// `mailbox` from mailbox_path(); the quota attribute only when `quota` is not empty.
    Entry account_entry(const std::string& dn, const std::string& local, const std::string& domain,
                        const NewAccount& account, const std::string& mailbox,
                        const std::string& quota) const;
    Entry alias_entry(const std::string& dn, const std::string& local, const std::string& domain,
                      const std::vector<std::string>& destinations) const;
    /// A fresh mailbox path from new_account_mailbox (a new %s every time).
    std::string mailbox_path(const std::string& local, const std::string& domain) const;

    /// The entry that lists a domain's postmasters, or empty when the layout has none.
    std::string role_dn(const std::string& domain_dn) const;
    /// Whether that entry is also the postmaster@ alias (jamm, courier), rather than a group of
    /// its own (mailrouter's cn=admin).
    bool role_is_postmaster_alias() const;
    /// The role entry for a domain that has none, with one occupant; for a role that is the
    /// postmaster@ alias, `destinations` are that alias's.
    Entry role_entry(const std::string& dn, const std::string& domain, const std::string& occupant,
                     const std::vector<std::string>& destinations) const;
    /// An object class the role entry must carry while it lists occupants, and drop with the
    /// last (jamm's auxiliary JammPostmaster, which requires roleOccupant); empty: none.
    std::string occupied_role_class() const;
    /// Whether the role entry must go when its last occupant does (a groupOfNames needs a
    /// member).
    bool role_needs_an_occupant() const;

    /// TRUE/FALSE as the flag attributes store them.
    static std::string flag(bool value) { return value ? "TRUE" : "FALSE"; }

private:
    void add_flags(Entry& entry) const;

    Schema schema_;
    std::string search_base_;
    NewAccountSettings new_account_;
    std::function<std::string()> stamp_;
};

} // namespace vmaildir
