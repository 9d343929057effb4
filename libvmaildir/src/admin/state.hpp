// What every administrative action shares (admin.hpp): the actor, its session
// and the views through it, the layout, and the look-ups each plan starts with.
// The actions themselves are in plan_domains.cpp, plan_accounts.cpp,
// plan_aliases.cpp and plan_postmasters.cpp; reading and applying in
// administration.cpp.
#pragma once

#include "admin/layout.hpp"
#include "admin/views.hpp"
#include "resolve/lookups.hpp"
#include "vmaildir/admin/admin.hpp"
#include "vmaildir/model/address.hpp"

#include <optional>
#include <string>
#include <vector>

namespace vmaildir {

/// A domain entry found, with what it maps to.
struct DomainHit {
    Domain domain;
    Entry entry;
};

struct Administration::State {
    State(const Config& config, DirectorySession& session, Logger& log);

    const Config& config;
    Config reading; ///< the configuration with the answer cache off: every answer is read now
    DirectorySession& session;
    Logger& log;
    SessionDirectory directory;
    Lookups lookups;
    Layout layout;
    Actor actor;

    Deadline deadline() const { return Deadline::after(config.timeout); }
    const Schema& schema() const { return layout.schema(); }
    const EntryMapper& mapper() const { return lookups.mapper; }

    /// The domain's entry: not_found "D is not a hosted domain" (a deleted one counts as
    /// absent unless `deleted_too`); temp_fail for two entries or a malformed one.
    Result<DomainHit> find_domain(std::string_view name, bool deleted_too = false);
    /// find_domain() for an action on the domain itself, asked of decide() for the actor:
    /// not_found with the denial's reason when refused.
    Result<DomainHit> domain_for(std::string_view name, Action action);
    /// A normalised domain name, or not_found saying why the text is not one.
    Result<std::string> domain_name(std::string_view text) const;
    /// A parsed address, or not_found with the parser's reason.
    Result<Address> address(std::string_view text) const;
    /// Every account and alias entry of the domain answering to `local` (folded; empty: the
    /// catch-all), whatever its flags.
    Result<std::vector<Entry>> entries_at(const DomainHit& domain, const std::string& local);
    /// One entry by DN with all its attributes; not_found when absent.
    Result<Entry> read_entry(const std::string& dn);
    /// Every entry below `dn` (not `dn` itself), with all their attributes.
    Result<std::vector<Entry>> below(const std::string& dn);
    /// Whether an entry is a tombstone (deleted flag TRUE).
    bool deleted(const Entry& entry) const;

    /// decide() for the actor on the domain (and entry); the denial's reason, or nothing.
    std::optional<std::string> denied(Action action, const Domain& domain,
                                      const std::string& entry_dn = {},
                                      const std::string& entry_address = {}) const;
    /// Destinations as an alias may hold them: addresses, or local user names.
    std::optional<std::string> bad_destinations(const std::vector<std::string>& destinations) const;
    /// Resolves the plan against the directory as it will be: refuses a loop through any of
    /// `starts` (expanded after the change), and an address of `domain` that resolves to an
    /// account now but would not afterwards (an alias or catch-all taking its mail).
    Result<std::monostate> check_planned_aliases(const Plan& plan,
                                                 const std::vector<std::string>& starts,
                                                 const std::string& domain);
    /// The live-or-inactive (not deleted) account entry of an address; not_found "no account".
    Result<Entry> find_account(const DomainHit& domain, const Address& address);
    /// The change that takes `occupant` off a postmaster role entry (dropping the role's
    /// class, or the entry, with the last occupant where the layout needs one).
    Change revoke_change(const Entry& role, const std::string& occupant) const;
    /// Whether taking an occupant off `role` deletes it (its last one, where the layout's
    /// role entry needs an occupant).
    bool revoking_removes(const Entry& role) const;
    /// Why the actor may not take the last occupant off `role` where that deletes the entry
    /// (only site admins delete role entries, in decide()'s words and slapd's rules), or
    /// nothing.
    std::optional<std::string> last_occupant_denied(const Entry& role,
                                                    const std::string& domain) const;
    /// The postmaster role entries (anywhere below the search base) that list `dn`.
    Result<std::vector<Entry>> roles_of(const std::string& dn);

    /// Adds a change with its comment.
    static void add(Plan& plan, Change change, std::string comment) {
        plan.changes.push_back(std::move(change));
        plan.comments.push_back(std::move(comment));
    }
};

/// A refusal as a plan result.
inline Result<Plan> refused(std::string reason) {
    return Result<Plan>::not_found(std::move(reason));
}

/// "the jamm layout has no <what> (<key>)": for an action the layout cannot express.
inline std::string lacks(const Schema& schema, const std::string& what, const std::string& key) {
    return "the " + schema.preset + " layout has no " + what + " (" + key + " is not set)";
}

} // namespace vmaildir
