// The lookup tables adapters expose (postfix socketmap names, `vmaildir lookup MAP KEY`).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

enum class MapName {
    domain,    ///< bare domain → the domain, when it is hosted here (active or inactive, not
               ///< deleted); every address of an inactive domain is still not found
    mailbox,   ///< address → Maildir path of the live account (sub-address removed if needed)
    alias,     ///< address → SPEC §3 answer for an MTA that re-queries results itself: alias or
               ///< catch-all destinations, or the address itself for a live account
    recipient, ///< address → the final deliverable addresses after recursive expansion
    transport, ///< address or domain → the domain's transport; never answers the "*" probe
    uid,       ///< address → numeric uid for delivery
    gid,       ///< address → numeric gid for delivery
    quota,     ///< address → the account's quota as stored
    sender,    ///< address → logins allowed to send as it (smtpd_sender_login_maps)
};

/// Parses a map name ("domain", "mailbox", ...).
std::optional<MapName> parse_map_name(std::string_view name);
const char* to_string(MapName map) noexcept;
/// All map names, for help texts.
std::vector<std::string> map_names();

} // namespace vmaildir
