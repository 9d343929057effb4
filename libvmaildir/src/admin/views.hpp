// The directory as the administration reads it: through the actor's own session
// (SessionDirectory), and as it will be once a plan is applied
// (PlannedDirectory), so that the resolver itself can say whether a planned
// alias loops or takes an account's mail, with the same rules it answers mail
// with.
#pragma once

#include "vmaildir/directory/directory.hpp"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace vmaildir {

/// A Directory for reading only: binds and modifications answer temp_fail.
class SearchOnlyDirectory : public Directory {
public:
    Result<bool> check_bind(const std::string& dn, std::string_view password,
                            Deadline deadline) override;
    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& changes,
                                     Deadline deadline) override;
};

/// Searches through a DirectorySession.
class SessionDirectory final : public SearchOnlyDirectory {
public:
    explicit SessionDirectory(DirectorySession& session) : session_(session) {}
    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override;
    std::string describe() const override;

private:
    DirectorySession& session_;
};

/// The entries a plan touches, as they will be: by DN in comparison form
/// (util::normalise_dn), nothing for a removed entry.
using PlannedEntries = std::map<std::string, std::optional<Entry>>;

/// `base` with planned entries in place of the stored ones.
class PlannedDirectory final : public SearchOnlyDirectory {
public:
    PlannedDirectory(Directory& base, PlannedEntries planned)
        : base_(base), planned_(std::move(planned)) {}
    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override;
    std::string describe() const override { return base_.describe() + " (as planned)"; }

private:
    Directory& base_;
    PlannedEntries planned_;
};

/// The entries `changes` touch, as they will be after them, read from `directory` first.
/// not_found when a change could not apply (an add of an existing entry, a modification the
/// server would refuse), with the reason.
Result<PlannedEntries> plan_entries(Directory& directory, const std::vector<Change>& changes,
                                    Deadline deadline);

} // namespace vmaildir
