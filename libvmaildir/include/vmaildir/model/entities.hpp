// The mail entities of SPEC §1 (domains, accounts, aliases and their flags),
// independent of any schema.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace vmaildir {

/// Active/deleted flags.  A layout without flag attributes yields entries that are always live.
struct Flags {
    bool active = true;
    bool deleted = false;
    bool live() const noexcept { return active && !deleted; }
};

struct Domain {
    std::string name; ///< lower-cased
    std::string dn;
    std::string transport; ///< empty when the entry names none
    Flags flags;
    bool can_edit_accounts = false;
    bool can_appoint_postmasters = false;
};

struct Account {
    std::string address; ///< local@domain, domain lower-cased
    std::string dn;
    std::string mailbox; ///< as stored (relative to the mail base or absolute)
    std::string home;
    std::string quota;
    std::string name;
    /// The stored userPassword value.  Secret: never logged, never returned by lookups.
    std::string password;
    std::optional<unsigned long> uid;
    std::optional<unsigned long> gid;
    Flags flags;
    bool disable_imap = false;
    bool disable_pop3 = false;
};

struct Alias {
    std::string address; ///< local@domain, or @domain for a catch-all
    std::string dn;
    std::vector<std::string> destinations;
    Flags flags;
    bool catch_all = false;
};

} // namespace vmaildir
