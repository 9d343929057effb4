// Delegated administration (SPEC §5) as commands: every action of the matrix
// planned as directory changes for the configured layout, asked of decide()
// before anything is sent, checked against the model (a domain that must
// exist, an address that must not, an alias that would loop, a catch-all that
// would take an account's mail), and sent through a session bound as the
// administrator acting, so that slapd's own access rules judge it again.
//
// A plan is computed first and applied separately: `vmaildir --dry-run` prints
// the plan's LDIF, and applying that LDIF with ldapmodify(1) gives the
// directory the real run gives.
#pragma once

#include "vmaildir/admin/acl.hpp"
#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/change.hpp"
#include "vmaildir/directory/directory.hpp"
#include "vmaildir/model/entities.hpp"
#include "vmaildir/util/log.hpp"

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

/// What one administrative action will send.
struct Plan {
    std::string summary;               ///< one line: "create account alice@example.org"
    std::vector<Change> changes;       ///< in the order they must be sent
    std::vector<std::string> comments; ///< one per change: what it is for (LDIF comments)
    std::vector<std::string> warnings; ///< what the administrator should know, one line each
    /// The plan changes who may log in or with which password (passwords, flags, deletions):
    /// verified-login caches must forget what they hold.
    bool affects_logins = false;
};

struct NewDomain {
    std::optional<std::string> transport; ///< empty: the domain entry names none
    bool active = true;
    std::optional<bool> edit_accounts;    ///< unset: the layout's default
    std::optional<bool> edit_postmasters; ///<
    /// Where mail to postmaster@ and abuse@ (RFC 2142) goes; empty: no such aliases yet.
    std::vector<std::string> postmaster_to;
};

struct NewAccount {
    std::string name;                 ///< full name; empty: the local part
    std::optional<std::string> quota; ///< unset: new_account_quota
    /// The userPassword value to store, already hashed (auth/password.hpp); empty: no password
    /// (the account receives mail but cannot log in).  Secret: never logged.
    std::string password_value;
};

/// One domain with what `show` prints about it.
struct DomainReport {
    Domain domain;
    std::vector<std::string> postmasters; ///< DNs of its administrators
    std::size_t accounts = 0;
    std::size_t aliases = 0;
    std::optional<Alias> catch_all;
};

/// Plans and applies administrative actions for one actor.  Outcomes: found (a plan, a
/// listing); not_found when refused, with one line saying why (decide()'s reason naming the
/// rule, or the model's: "example.com is not a hosted domain", "alice@example.org exists");
/// temp_fail when the directory cannot answer.  Not thread-safe.
class Administration {
public:
    /// Acts as the identity `session` is bound as, whose roles are read from the directory;
    /// reads through the session too, so that the actor sees only what its rights show.
    /// `config`, `session` and `log` must outlive the result.
    static Result<std::unique_ptr<Administration>> open(const Config& config,
                                                        DirectorySession& session, Logger& log);
    ~Administration();
    Administration(const Administration&) = delete;
    Administration& operator=(const Administration&) = delete;

    const Actor& actor() const noexcept;

    // Domains: site admins only.
    Result<Plan> add_domain(std::string_view domain, const NewDomain& options);
    /// Deletes a domain: the jamm layout marks it (and, with `recursive`, everything in it)
    /// deleted; layouts without flags remove the entries.  Without `recursive`, refused while
    /// the domain holds accounts or aliases other than postmaster@ and abuse@.
    Result<Plan> delete_domain(std::string_view domain, bool recursive);
    Result<Plan> set_domain_active(std::string_view domain, bool active);
    Result<Plan> set_domain_capabilities(std::string_view domain, std::optional<bool> edit_accounts,
                                         std::optional<bool> edit_postmasters);

    // Accounts.
    Result<Plan> add_account(std::string_view address, const NewAccount& account);
    /// Deletion follows the layout: a tombstone (jamm's `delete: TRUE`) or removal; either way
    /// the account leaves every postmaster role it held, so that a later account of the same
    /// name inherits nothing.
    Result<Plan> delete_account(std::string_view address);
    Result<Plan> set_account_active(std::string_view address, bool active);
    Result<Plan> set_account_name(std::string_view address, std::string_view name);
    Result<Plan> set_account_quota(std::string_view address, std::string_view quota);
    /// `password_value` as for NewAccount (hashed).
    Result<Plan> set_account_password(std::string_view address, std::string_view password_value);

    // Aliases and catch-alls.
    Result<Plan> add_alias(std::string_view address, const std::vector<std::string>& destinations);
    Result<Plan> delete_alias(std::string_view address);
    Result<Plan> set_alias_destinations(std::string_view address,
                                        const std::vector<std::string>& destinations);
    Result<Plan> set_catch_all(std::string_view domain,
                               const std::vector<std::string>& destinations);
    Result<Plan> clear_catch_all(std::string_view domain);

    // Postmasters: `who` is an account's address or any DN (a site admin's, say).
    Result<Plan> appoint_postmaster(std::string_view domain, std::string_view who);
    Result<Plan> revoke_postmaster(std::string_view domain, std::string_view who);

    /// Sends a plan's changes in order and stops at the first that fails: found with the
    /// number sent; not_found (refused, with the directory's words) or temp_fail saying how
    /// many were applied before it.
    Result<std::size_t> apply(const Plan& plan);

    // Reading (read-attributes in decide()).
    Result<std::vector<Domain>> domains();
    Result<DomainReport> domain(std::string_view domain);
    Result<std::vector<Account>> accounts(std::string_view domain);
    Result<Account> account(std::string_view address);
    /// The domain's aliases, its catch-all included (catch_all set).
    Result<std::vector<Alias>> aliases(std::string_view domain);
    Result<Alias> alias(std::string_view address);
    Result<std::vector<std::string>> postmasters(std::string_view domain);

    /// The implementation's shared state (opaque outside libvmaildir/src/admin).
    struct State;

private:
    explicit Administration(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

} // namespace vmaildir
