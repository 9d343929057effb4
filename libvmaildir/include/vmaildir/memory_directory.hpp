// An in-memory Directory loaded from LDIF: the unit tests' directory, and
// `vmaildir --ldif FILE` for checking a directory before it is loaded.
#pragma once

#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "vmaildir/directory.hpp"

namespace vmaildir {

/// Searches evaluate Filter trees directly (case-insensitive equality, as the mail attributes'
/// matching rules are).  check_bind compares against the entry's userPassword with
/// verify_password() (cleartext allowed: it is what slapd's own rootpw-less tests hold).
/// Thread-safe.
class MemoryDirectory final : public Directory {
public:
    explicit MemoryDirectory(std::vector<Entry> entries, std::string origin = "memory");

    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override;
    Result<bool> check_bind(const std::string& dn, std::string_view password,
                            Deadline deadline) override;
    Result<std::monostate> modify(const std::string& dn, const std::vector<Modification>& changes,
                                  Deadline deadline) override;
    /// Binds as `as` (check_bind), then modifies; the in-memory directory has no access
    /// rules of its own.
    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& changes,
                                     Deadline deadline) override;
    std::string describe() const override { return origin_; }

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
};

} // namespace vmaildir
