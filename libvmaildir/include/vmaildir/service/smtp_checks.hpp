// What an SMTP-time filter (the milter) decides for an envelope, over the
// Service's maps: whether a recipient may be accepted, and whether a sender may
// be used.  The semantics are the core's (SPEC §3, the `sender` map); an adapter
// only turns the verdicts into its host's replies and applies its own policy.
#pragma once

#include "vmaildir/directory/result.hpp"
#include "vmaildir/service/service.hpp"

#include <string_view>

namespace vmaildir {

enum class RecipientVerdict {
    foreign,     ///< not in a hosted domain: relaying stays the MTA's decision
    deliverable, ///< resolves (account, alias, sub-address or catch-all)
    unknown,     ///< in a hosted domain (active or not) and resolves to nothing
};

/// Found with the verdict, or a temporary failure (directory trouble, an alias loop, ...);
/// never not_found.  `address` is an envelope address, angle brackets allowed.  An address
/// that cannot name a mailbox (too long, control characters) is unknown when it claims a
/// hosted domain, else foreign.
Result<RecipientVerdict> check_recipient(Service& service, std::string_view address);

enum class SenderVerdict {
    allowed,                ///< the null sender, a login that owns the address, or no claim
    not_owned,              ///< the login does not own the address (the `sender` map)
    unauthenticated_hosted, ///< no login, and the address is in a hosted domain
};

/// Whether `login` (the SMTP AUTH name; empty when the client did not authenticate) may use
/// the envelope sender `sender`.  A bare login is completed with default_domain, and logins
/// compare case-insensitively.  With no login, only whether the sender claims a hosted
/// domain is asked.  Found with the verdict, or a temporary failure; never not_found.
Result<SenderVerdict> check_sender(Service& service, std::string_view login,
                                   std::string_view sender);

} // namespace vmaildir
