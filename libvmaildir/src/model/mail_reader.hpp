// The searches the resolver and the tools need, built from the schema: the
// entries of one recipient key (in one search where the layout allows), a
// domain, an entry by DN, a group's members, the whole tree.
#pragma once

#include "model/entry_mapper.hpp"
#include "vmaildir/directory/directory.hpp"

#include <string>
#include <vector>

namespace vmaildir {

/// What one recipient key needs, fetched in one search where the layout allows: the entries
/// naming the domain and every account or alias entry whose address is one of the asked local
/// parts (whatever their flags, so that the resolver can say why something is not live).
struct Candidates {
    std::vector<Entry> domains;
    std::vector<Entry> entries; ///< accounts and aliases below the domain (not yet classified)
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
    /// Members of a group entry (site admins); not_found when the group entry does not exist.
    Result<std::vector<std::string>> group_members(const std::string& group_dn, Deadline deadline);
    /// One entry by DN, with its password attribute only when asked (password checks);
    /// not_found when absent.
    Result<Entry> entry(const std::string& dn, bool with_password, Deadline deadline);
    /// Every domain, account and alias below the search base (for check and enumerate).
    Result<std::vector<Entry>> everything(Deadline deadline);
    /// Every account entry below the search base with its password attribute only, as far
    /// as the identity may read it (for check).
    Result<std::vector<Entry>> stored_passwords(Deadline deadline);

    Directory& directory() noexcept { return directory_; }
    const EntryMapper& mapper() const noexcept { return mapper_; }

private:
    Filter domain_filter(const std::string& domain) const;
    Filter entry_filter(const std::string& domain, const std::vector<std::string>& locals) const;

    Directory& directory_;
    const EntryMapper& mapper_;
};

} // namespace vmaildir
