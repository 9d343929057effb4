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

bool contains_value(const std::vector<std::string>& values, std::string_view value) {
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& v) { return util::iequals(v, value); });
}

// Applies one change to `entry`; the reason slapd would refuse it, or empty.
std::string apply(Entry& entry, const Modification& change) {
    const std::string& name = change.attribute;
    switch (change.op) {
    case Modification::Op::replace:
        entry.replace(name, change.values);
        return {};
    case Modification::Op::add: {
        if (change.values.empty())
            return "modify/add: " + name + ": no values given";
        std::vector<std::string> values = entry.values(name);
        for (const std::string& v : change.values) {
            if (contains_value(values, v))
                return "modify/add: " + name + ": value exists (attributeOrValueExists)";
            values.push_back(v);
        }
        entry.replace(name, std::move(values));
        return {};
    }
    case Modification::Op::remove: {
        if (!entry.has(name))
            return "modify/delete: " + name + ": no such attribute";
        if (change.values.empty()) {
            entry.replace(name, {});
            return {};
        }
        std::vector<std::string> values = entry.values(name);
        for (const std::string& v : change.values) {
            auto it = std::find_if(values.begin(), values.end(),
                                   [&](const std::string& s) { return util::iequals(s, v); });
            if (it == values.end())
                return "modify/delete: " + name + ": no such value";
            values.erase(it);
        }
        entry.replace(name, std::move(values));
        return {};
    }
    }
    return "modify: unknown operation";
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
        std::string refusal = apply(changed, change);
        if (!refusal.empty())
            return R::temp_fail(refusal + " (" + util::printable(dn) + ")");
    }
    *it = std::move(changed);
    return R::found(std::monostate{});
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
