// From directory entries to the mail model: the one place that knows how a
// Schema lays domains, accounts and aliases out, and what makes an entry
// malformed.  No searches here (mail_reader.hpp runs them).
#pragma once

#include "vmaildir/directory/entry.hpp"
#include "vmaildir/directory/result.hpp"
#include "vmaildir/model/address.hpp"
#include "vmaildir/model/entities.hpp"
#include "vmaildir/model/schema.hpp"

#include <string>
#include <vector>

namespace vmaildir {

struct ModelSettings {
    std::string search_base;
    std::size_t size_limit = 100;
    bool edit_accounts_default = true;
    bool edit_postmasters_default = false;
    AddressPolicy address;
    /// An account's uid number below this is malformed (Postfix's virtual_minimum_uid), and
    /// so is gid 0: a directory writer never hands out root's or a system uid.  Not checked
    /// where static_uid / static_gid answer instead of the entry.
    unsigned long minimum_uid = 100;
    bool entry_uid_used = true;
    bool entry_gid_used = true;
};

/// Classifies and converts entries.  Stateless apart from its settings; thread-safe.
class EntryMapper {
public:
    EntryMapper(Schema schema, ModelSettings settings);

    const Schema& schema() const noexcept { return schema_; }
    const ModelSettings& settings() const noexcept { return settings_; }

    bool is_domain(const Entry& e) const;
    bool is_account(const Entry& e) const;
    /// An alias entry, or an account whose entry lists destinations (forward and keep a copy).
    bool is_alias(const Entry& e) const;

    /// Malformed entries (bad flag values, several values where one is expected, unparsable
    /// numbers) are temp_fail: nobody can tell whether they are live.
    Result<Domain> domain(const Entry& e) const;
    Result<Account> account(const Entry& e, const std::string& domain) const;
    Result<Alias> alias(const Entry& e, const std::string& domain) const;

    /// The folded local parts an account or alias entry answers to (several when the address
    /// attribute is multi-valued); the catch-all appears as the empty string.
    std::vector<std::string> local_parts(const Entry& e, bool as_alias,
                                         const std::string& domain) const;

    /// The value stored in the address attribute for a local part of `domain`.
    std::string stored_address(const std::string& local, const std::string& domain) const;
    /// Every attribute the model reads, for search requests.
    const std::vector<std::string>& attributes() const noexcept { return attributes_; }
    /// search_base in the comparison form of util::normalise_dn.
    const std::string& normalised_search_base() const noexcept { return normalised_search_base_; }

private:
    Result<Flags> flags(const Entry& e) const;

    Schema schema_;
    ModelSettings settings_;
    std::string normalised_search_base_;
    std::vector<std::string> attributes_;
};

} // namespace vmaildir
