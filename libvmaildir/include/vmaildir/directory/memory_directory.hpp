// An in-memory Directory loaded from LDIF: the unit tests' directory, and
// `vmaildir --ldif FILE` for checking a directory before it is loaded.
#pragma once

#include <functional>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "vmaildir/directory/directory.hpp"

namespace vmaildir {

/// Whether a stored userPassword value is the offered password.  The directory layer knows
/// no password schemes: auth/password.hpp's password_matches() is the usual one.
using PasswordMatcher = std::function<bool(std::string_view stored, std::string_view offered)>;

/// Searches evaluate Filter trees directly (case-insensitive equality, as the mail attributes'
/// matching rules are).  check_bind asks `matches` about each of the entry's userPassword
/// values, as slapd does; without a matcher every bind is a temporary failure.
/// Thread-safe.
class MemoryDirectory final : public Directory {
public:
    explicit MemoryDirectory(std::vector<Entry> entries, std::string origin = "memory",
                             PasswordMatcher matches = {});

    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override;
    Result<bool> check_bind(const std::string& dn, std::string_view password,
                            Deadline deadline) override;
    /// Applies modifications to one entry, as ldapmodify(1) would without access rules (the
    /// Directory interface has no such write: the service identity never writes).  found
    /// when applied, not_found when the entry does not exist, temp_fail past the deadline.
    Result<std::monostate> modify(const std::string& dn, const std::vector<Modification>& changes,
                                  Deadline deadline);
    /// Binds as `as` (check_bind), then modifies; the in-memory directory has no access
    /// rules of its own.
    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& changes,
                                     Deadline deadline) override;
    /// A session as `who`: a simple bind is checked as check_bind() checks it; SASL EXTERNAL
    /// is taken to be `who.dn` (there is no transport to ask).  No access rules apply.
    Result<std::unique_ptr<DirectorySession>> open_session(const Identity& who,
                                                           Deadline deadline) override;
    std::string describe() const override { return origin_; }

    /// Applies one change as slapd would without access rules or schema: found when applied;
    /// not_found with slapd's reason for an add of an existing DN or below a missing parent, a
    /// delete of a missing or non-leaf entry, and a refused modification.
    Result<std::monostate> apply(const Change& change);

    /// Adds an entry (replacing one with the same DN).
    void put(Entry entry);
    /// Removes an entry; false when there was none.
    bool erase(const std::string& dn);
    /// A copy of every entry, in insertion order.
    std::vector<Entry> entries() const;

private:
    mutable std::shared_mutex mutex_;
    std::vector<Entry> entries_;
    std::string origin_;
    PasswordMatcher matches_;
};

} // namespace vmaildir
