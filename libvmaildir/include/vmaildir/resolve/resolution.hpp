// What resolving a recipient (SPEC §3) produces.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vmaildir/model/entities.hpp"

namespace vmaildir {

/// Which step of SPEC §3 answered.
enum class Route {
    alias,     ///< step 2 (or 4): an explicit alias
    account,   ///< step 3 (or 4): the account's own mailbox
    catch_all, ///< step 5: the domain's catch-all
};

const char* to_string(Route route) noexcept;

struct Delivery {
    Route route = Route::account;
    std::string key;     ///< the key as received (angle brackets removed)
    std::string matched; ///< the directory address that answered ("@domain" for a catch-all)
    bool via_subaddress = false; ///< answered only after removing the sub-address (step 4)
    /// Alias and catch-all: its destinations, as stored.  Account: the account's address.
    std::vector<std::string> destinations;
    std::optional<Account> account; ///< set when route is account
};

/// Human-readable steps of a resolution, for `vmaildir explain`; one line each.
using Trace = std::vector<std::string>;

} // namespace vmaildir
