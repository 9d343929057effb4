// The in-memory Directory.  The resolver runs unchanged against it and against slapd, so every
// answer here copies what slapd (2.5, back-mdb, default limits, no overlays) gives for the same
// request; where it does not, the list below says so.  Linear scans throughout: test
// directories hold tens of entries.
//
// Checked against slapd: a missing DN binds as invalidCredentials; a malformed one is
// invalidDNSyntax; sizelimit N with exactly N matches succeeds; modify is all or nothing, and
// refuses add without values (protocolError), an existing value (attributeOrValueExists) and
// deleting an absent attribute or value (noSuchAttribute); requesting "cn" returns
// "cn;lang-de" too.
//
// Known differences:
// - A base that is an ancestor of a stored entry exists even without its own entry (test LDIF
//   often leaves out the suffix entry), and so does the empty DN; slapd answers noSuchObject
//   for both (for "" unless olcDefaultSearchBase is set).
// - Matching is Filter::matches(): ASCII case folding only, no insignificant-space handling,
//   and attribute options and subtypes are not searched ((cn=x) does not see cn;lang-de).
// - DNs compare through util::normalise_dn() and are returned as stored, not in slapd's
//   "pretty" form.
// - Modify knows no schema (no objectClass checks, no notAllowedOnRDN).
#include "vmaildir/directory/memory_directory.hpp"

#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <mutex>

namespace vmaildir {

namespace {

const char* const timeout_reason = "timeout";

// The stored entry whose DN equals `dn` (compared normalised), or end().
template <class Entries> auto find_entry(Entries& entries, std::string_view dn) {
    std::string wanted = util::normalise_dn(dn);
    return std::find_if(entries.begin(), entries.end(),
                        [&](const Entry& e) { return util::normalise_dn(e.dn()) == wanted; });
}

std::size_t depth(std::string_view dn) {
    auto rdns = util::parse_dn(dn);
    return rdns ? rdns->size() : 0;
}

bool in_scope(const Entry& entry, const std::string& base, std::size_t base_depth, Scope scope) {
    switch (scope) {
    case Scope::base:
        return util::normalise_dn(entry.dn()) == util::normalise_dn(base);
    case Scope::one_level:
        return util::dn_within(entry.dn(), base) && depth(entry.dn()) == base_depth + 1;
    case Scope::subtree:
        return util::dn_within(entry.dn(), base);
    }
    return false;
}

} // namespace

MemoryDirectory::MemoryDirectory(std::vector<Entry> entries, std::string origin,
                                 PasswordMatcher matches)
    : origin_(std::move(origin)), matches_(std::move(matches)) {
    for (Entry& entry : entries)
        put(std::move(entry));
}

Result<std::vector<Entry>> MemoryDirectory::search(const SearchRequest& request,
                                                   Deadline deadline) {
    using R = Result<std::vector<Entry>>;
    if (deadline.expired())
        return R::temp_fail(timeout_reason);
    auto base_rdns = util::parse_dn(request.base);
    if (!base_rdns) // slapd: invalidDNSyntax, whatever base_may_be_missing says
        return R::temp_fail("invalid DN syntax: " + util::printable(request.base));

    std::shared_lock lock(mutex_);
    bool base_exists =
        base_rdns->empty() || std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
            return util::dn_within(e.dn(), request.base);
        });
    if (!base_exists) {
        if (request.base_may_be_missing)
            return R::found({});
        return R::temp_fail("no such object: " + util::printable(request.base));
    }

    std::vector<Entry> out;
    for (const Entry& entry : entries_) {
        if (!in_scope(entry, request.base, base_rdns->size(), request.scope) ||
            !request.filter.matches(entry))
            continue;
        if (request.size_limit != 0 && out.size() == request.size_limit)
            return R::temp_fail("size limit exceeded: more than " +
                                std::to_string(request.size_limit) + " entries below " +
                                util::printable(request.base) + " match " +
                                request.filter.to_string());
        out.push_back(entry.selected(request.attributes));
    }
    return R::found(std::move(out));
}

Result<bool> MemoryDirectory::check_bind(const std::string& dn, std::string_view password,
                                         Deadline deadline) {
    using R = Result<bool>;
    if (password.empty())
        return R::found(false); // RFC 4513 §5.1.2: would be an unauthenticated bind
    if (deadline.expired())
        return R::temp_fail(timeout_reason);
    if (!matches_)
        return R::temp_fail(origin_ + " cannot check passwords (no password matcher)");

    std::vector<std::string> stored;
    {
        std::shared_lock lock(mutex_);
        auto it = find_entry(entries_, dn);
        if (it == entries_.end()) {
            if (!util::parse_dn(dn)) // slapd: invalidDNSyntax
                return R::temp_fail("invalid DN syntax: " + util::printable(dn));
            return R::found(false); // slapd: invalidCredentials, not noSuchObject
        }
        stored = it->values("userPassword");
    }
    // Outside the lock: a crypt scheme may take a while.  As in slapd, each value is tried and
    // one that cannot be checked (unknown scheme) simply does not match.
    for (const std::string& value : stored)
        if (matches_(value, password))
            return R::found(true);
    return R::found(false);
}

Result<std::monostate> MemoryDirectory::modify_as(const Credentials& as, const std::string& dn,
                                                  const std::vector<Modification>& changes,
                                                  Deadline deadline) {
    auto bound = check_bind(as.dn, as.password, deadline);
    if (!bound.is_found())
        return Result<std::monostate>::failure_of(bound);
    if (!bound.value())
        return Result<std::monostate>::temp_fail("bind as " + util::printable(as.dn) +
                                                 ": invalid credentials");
    return modify(dn, changes, deadline);
}

Result<std::monostate> MemoryDirectory::modify(const std::string& dn,
                                               const std::vector<Modification>& changes,
                                               Deadline deadline) {
    using R = Result<std::monostate>;
    if (deadline.expired())
        return R::temp_fail(timeout_reason);
    std::unique_lock lock(mutex_);
    auto it = find_entry(entries_, dn);
    if (it == entries_.end())
        return R::not_found("no such object: " + util::printable(dn));
    // All or nothing (RFC 4511 §4.6): work on a copy.
    Entry changed = *it;
    for (const Modification& change : changes) {
        std::string refusal = apply_modification(changed, change);
        if (!refusal.empty())
            return R::temp_fail(refusal + " (" + util::printable(dn) + ")");
    }
    *it = std::move(changed);
    return R::found(std::monostate{});
}

namespace {

class MemorySession final : public DirectorySession {
public:
    MemorySession(MemoryDirectory& directory, std::string identity)
        : directory_(directory), identity_(std::move(identity)) {}
    const std::string& identity() const noexcept override { return identity_; }
    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override {
        return directory_.search(request, deadline);
    }
    Result<std::monostate> apply(const Change& change, Deadline deadline) override {
        if (deadline.expired())
            return Result<std::monostate>::temp_fail(timeout_reason);
        return directory_.apply(change);
    }

private:
    MemoryDirectory& directory_;
    std::string identity_;
};

} // namespace

Result<std::unique_ptr<DirectorySession>> MemoryDirectory::open_session(const Identity& who,
                                                                        Deadline deadline) {
    using R = Result<std::unique_ptr<DirectorySession>>;
    if (who.method == Identity::Method::simple && !who.dn.empty()) {
        auto bound = check_bind(who.dn, who.password, deadline);
        if (!bound.is_found())
            return R::failure_of(bound);
        if (!bound.value())
            return R::not_found("bind as " + util::printable(who.dn) + ": invalid credentials");
    }
    return R::found(std::make_unique<MemorySession>(*this, who.dn));
}

Result<std::monostate> MemoryDirectory::apply(const Change& change) {
    using R = Result<std::monostate>;
    const std::string shown = util::printable(change.dn);
    if (!util::parse_dn(change.dn))
        return R::not_found("invalid DN syntax: " + shown);
    std::unique_lock lock(mutex_);
    auto it = find_entry(entries_, change.dn);
    switch (change.kind) {
    case Change::Kind::add: {
        if (it != entries_.end())
            return R::not_found("already exists: " + shown);
        // The parent exists as the search base does (see the list above): when some entry
        // is at or below it.
        auto parent = util::parent_dn(change.dn);
        if (parent && std::none_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
                return util::dn_within(e.dn(), *parent);
            }))
            return R::not_found("no such object: the parent of " + shown);
        Entry entry = change.entry;
        entry.set_dn(change.dn);
        entries_.push_back(std::move(entry));
        return R::found({});
    }
    case Change::Kind::remove: {
        if (it == entries_.end())
            return R::not_found("no such object: " + shown);
        const std::size_t below = depth(change.dn) + 1;
        for (const Entry& e : entries_)
            if (util::dn_within(e.dn(), change.dn) && depth(e.dn()) == below)
                return R::not_found("not allowed on non-leaf: " + shown);
        entries_.erase(it);
        return R::found({});
    }
    case Change::Kind::modify: {
        if (it == entries_.end())
            return R::not_found("no such object: " + shown);
        Entry changed = *it;
        for (const Modification& m : change.modifications) {
            std::string refusal = apply_modification(changed, m);
            if (!refusal.empty())
                return R::not_found(refusal + " (" + shown + ")");
        }
        *it = std::move(changed);
        return R::found({});
    }
    }
    return R::temp_fail("unknown change");
}

void MemoryDirectory::put(Entry entry) {
    std::unique_lock lock(mutex_);
    auto it = find_entry(entries_, entry.dn());
    if (it != entries_.end())
        *it = std::move(entry);
    else
        entries_.push_back(std::move(entry));
}

bool MemoryDirectory::erase(const std::string& dn) {
    std::unique_lock lock(mutex_);
    auto it = find_entry(entries_, dn);
    if (it == entries_.end())
        return false;
    entries_.erase(it);
    return true;
}

std::vector<Entry> MemoryDirectory::entries() const {
    std::shared_lock lock(mutex_);
    return entries_;
}

} // namespace vmaildir
