// The backend interface: what vmaildir needs from a directory server.
//
// A Directory is deliberately LDAP-shaped (DNs, scopes, filters) and knows
// nothing of mail: the schema mapping (model/) and the resolver (resolve/) turn
// mail questions into searches.  Implementations: the LDAP backend
// (libvmaildir/src/ldap/, the only code that includes <ldap.h>) and
// MemoryDirectory (LDIF, for unit tests and offline checks); the registry that
// chooses one is libvmaildir/src/service/backends.cpp.
#pragma once

#include "vmaildir/directory/change.hpp"
#include "vmaildir/directory/entry.hpp"
#include "vmaildir/directory/filter.hpp"
#include "vmaildir/directory/result.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vmaildir {

using Clock = std::chrono::steady_clock;

/// The instant by which an operation must have answered; every connect, bind and search takes one.
class Deadline {
public:
    explicit Deadline(Clock::time_point at) : at_(at) {}
    static Deadline after(std::chrono::milliseconds budget) { return Deadline(Clock::now() + budget); }

    Clock::time_point at() const noexcept { return at_; }
    /// Time left, never negative.
    std::chrono::milliseconds remaining() const;
    bool expired() const { return Clock::now() >= at_; }

private:
    Clock::time_point at_;
};

enum class Scope { base, one_level, subtree };

struct SearchRequest {
    std::string base;
    Scope scope = Scope::subtree;
    Filter filter = Filter::all_of({});
    /// Attributes to return; empty means all user attributes.
    std::vector<std::string> attributes;
    /// More entries than this is a temporary failure (as Postfix treats LDAP sizelimit);
    /// 0 means no limit (the LDAP backend then pages through the results).
    std::size_t size_limit = 0;
    /// The base depends on the key (e.g. a domain's DN), so a missing base means "no entries"
    /// rather than a configuration error (Postfix dict_ldap.c makes the same distinction).
    bool base_may_be_missing = false;
};

/// An identity to act as: a DN and its password.  Secret: never logged.
struct Credentials {
    std::string dn;
    std::string password;
};

/// Who an administrative session acts as (vmaildir/admin/admin.hpp).  Secret: never logged.
struct Identity {
    enum class Method {
        simple,        ///< bind as `dn` with `password`; an empty DN is anonymous
        sasl_external, ///< SASL EXTERNAL: the transport says who (ldapi:// peer credentials)
    };
    Method method = Method::simple;
    std::string dn;
    std::string password;
    /// sasl_external: the ldapi:// URI to use; empty for the first ldapi:// server configured.
    std::string uri;
};

/// One connection bound as one identity, for administration: searches and changes with that
/// identity's own rights, so that the directory's access rules decide as well.  Used by one
/// thread at a time.
class DirectorySession {
public:
    virtual ~DirectorySession() = default;
    /// The DN the directory knows the session by (RFC 4532 "Who am I?"); empty: anonymous.
    virtual const std::string& identity() const noexcept = 0;
    /// As Directory::search, with the session's rights.
    virtual Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) = 0;
    /// Applies one change.  found when applied; not_found when the directory refused it (no
    /// such entry, already exists, insufficient access, schema violation), with its words;
    /// temp_fail when it could not answer.  Nothing is retried: a change is sent once.
    virtual Result<std::monostate> apply(const Change& change, Deadline deadline) = 0;
};

/// Thread-safe: every method may be called from many threads at once.
class Directory {
public:
    virtual ~Directory() = default;

    /// Runs one search.  found(entries) when the search completed, even with no entries;
    /// temp_fail for every error, timeout, exceeded size limit or missing fixed base.
    virtual Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) = 0;

    /// Verifies a password by binding as `dn` (on connections reserved for that, so the
    /// service identity is never replaced).  found(true) when accepted, found(false) for
    /// invalid credentials, temp_fail otherwise.  An empty password is found(false) without
    /// asking the server: RFC 4513 §5.1.2 would treat it as an unauthenticated bind.
    virtual Result<bool> check_bind(const std::string& dn, std::string_view password,
                                    Deadline deadline) = 0;

    /// Applies modifications to one entry as `as` (bound with its password, on a connection
    /// reserved for such binds), so the directory's own access rules decide too: a user
    /// changing their own password is "self" to slapd.  found when applied, not_found when
    /// the entry does not exist, temp_fail otherwise (including rejected credentials).
    virtual Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                             const std::vector<Modification>& changes,
                                             Deadline deadline) = 0;

    /// Opens a session bound as `who` for administration.  not_found when the directory
    /// refuses the identity (invalid credentials, a password that would cross the network in
    /// the clear); temp_fail when it cannot answer or cannot be written at all.
    virtual Result<std::unique_ptr<DirectorySession>> open_session(const Identity& who,
                                                                   Deadline deadline) {
        (void)who;
        (void)deadline;
        return Result<std::unique_ptr<DirectorySession>>::temp_fail(describe() +
                                                                    " cannot be administered");
    }

    /// A number that changes whenever the entries change, for backends that can tell (the
    /// replica): answers cached while it stays the same are current, whatever their TTL.
    /// not_found when the backend cannot tell (LDAP: the TTLs apply); temp_fail when the
    /// directory cannot answer at all (a replica that is stale, missing or not yet filled).
    virtual Result<std::uint64_t> generation() {
        return Result<std::uint64_t>::not_found("no change counter");
    }

    /// Closes connections that are not in use (a host's idle hook; they reopen on demand).
    virtual void close_idle() {}

    /// Where the entries come from, for logs ("ldap://127.0.0.1:3389/", "ldif:/path").
    virtual std::string describe() const = 0;
};

} // namespace vmaildir
