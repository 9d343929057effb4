// From directory entries to the mail model: the one place that knows how a
// Schema lays domains, accounts and aliases out, which searches fetch them,
// and what makes an entry malformed.
#pragma once

#include <string>
#include <vector>

#include "vmaildir/address.hpp"
#include "vmaildir/directory.hpp"
#include "vmaildir/model.hpp"
#include "vmaildir/result.hpp"
#include "vmaildir/schema.hpp"

namespace vmaildir {

struct ModelSettings {
    std::string search_base;
    std::size_t size_limit = 100;
    bool edit_accounts_default = true;
    bool edit_postmasters_default = false;
    AddressPolicy address;
};

/// What one recipient key needs, fetched in one search where the layout allows: the entries
/// naming the domain and every account or alias entry whose address is one of the asked local
/// parts (whatever their flags, so that the resolver can say why something is not live).
struct Candidates {
    std::vector<Entry> domains;
    std::vector<Entry> entries; ///< accounts and aliases below the domain (not yet classified)
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

/// Runs the searches the resolver and the tools need.  Thread-safe if the Directory is.
class MailReader {
public:
    MailReader(Directory& directory, const EntryMapper& mapper);

    /// The domain's entries plus account/alias entries for the given folded local parts
    /// (pass the empty string for the catch-all).
    Result<Candidates> candidates(const std::string& domain,
                                  const std::vector<std::string>& local_parts, Deadline deadline);
    /// Only the entries naming a domain.
    Result<std::vector<Entry>> domain_entries(const std::string& domain, Deadline deadline);
    /// The DNs occupying the domain's postmaster role (plus the layout's postmaster account).
    Result<std::vector<std::string>> postmasters(const Domain& domain, Deadline deadline);
    /// Members of a group entry (site admins); not_found when the group entry does not exist.
    Result<std::vector<std::string>> group_members(const std::string& group_dn,
                                                   Deadline deadline);
    /// One entry by DN, with its password attribute only when asked (password checks);
    /// not_found when absent.
    Result<Entry> entry(const std::string& dn, bool with_password, Deadline deadline);
    /// Every domain, account and alias below the search base (for check and enumerate).
    Result<std::vector<Entry>> everything(Deadline deadline);

    Directory& directory() noexcept { return directory_; }
    const EntryMapper& mapper() const noexcept { return mapper_; }

private:
    Filter domain_filter(const std::string& domain) const;
    Filter entry_filter(const std::string& domain, const std::vector<std::string>& locals) const;

    Directory& directory_;
    const EntryMapper& mapper_;
};

} // namespace vmaildir
