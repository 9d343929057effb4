// The readsocket protocol vmaildir-exim speaks to Exim's ${readsocket}.
//
// One request per connection: "<map> <key>\n" (Exim half-closes after writing,
// so the newline may also be missing at EOF).  Surrounding blanks are ignored:
// the examples build requests from macros that leave spaces around them.  One
// reply, then the server closes (Exim reads to EOF).  Replies carry no newline:
//   <value>             found, in the syntax the Exim option wants (below); never
//                       empty, never one of the two words below
//   :notfound:          not found: the examples' VM_ASK/VM_ANSWER turn it into a
//                       forced failure, so the router declines / the list misses
//   :defer: <reason>    temporary failure, one line: the examples turn it into a
//                       failed expansion (the router defers, RCPT gets 451); a
//                       redirect router with allow_defer reads it natively
// An empty reply is no answer: the server ended before answering (killed,
// restarted, or the connection closed to make room).  The examples defer on it
// like on :defer:; read as "not found" it would bounce mail for real addresses.
//
// Found values, per map (the map semantics are the core's, vmaildir/resolve/maps.hpp):
//   domain, uid, gid, transport   the value
//   mailbox     the Maildir path; refused (temporary failure) when it holds a ".."
//               segment or a control character, so it cannot leave the mail base
//   quota       bytes for appendfile's `quota` (0: no limit), vmaildir/model/quota.hpp
//   recipient   the final addresses after recursive expansion, as a redirect list:
//   alias       "a@x, \"odd local\"@y"; a local part Exim would read as a pipe,
//               file, :include: or comment is quoted; a domain that is not a host
//               name, or any control character, is refused
//               (Exim's redirect re-routes every address it generates, so it wants the
//               final set: `alias` answers exactly what `recipient` answers)
//   sender      the logins allowed to send as the address, an Exim colon list
//               (a ":" inside a login doubled), for forany{}{eqi{$item}{$authenticated_id}}
#pragma once

#include "vmaildir/directory/result.hpp"
#include "vmaildir/resolve/maps.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir::exim {

/// Requests longer than this, without their newline, are refused (a key is at most a few
/// hundred bytes).
inline constexpr std::size_t max_request = 4096;

struct Request {
    std::string map;
    std::string key;
};

/// Splits "<map> <key>" (blanks around ignored, a trailing "\n" or "\r\n" allowed); nothing
/// when there is no key or the line holds another newline or a NUL.
std::optional<Request> parse_request(std::string_view text);

/// The map a request name asks: the core's names ("alias" answers like "recipient").
std::optional<MapName> request_map(std::string_view name);

/// The reply that says "not found".
inline constexpr std::string_view not_found_reply = ":notfound:";

/// Whether a found value could be read as something else than a value: empty (no answer),
/// ":notfound:" or ":defer:..." (then the reply is a temporary failure instead).
bool reads_as_protocol(std::string_view value);

/// The reply for a lookup outcome of `map` (the table above).
std::string reply(MapName map, const Result<std::vector<std::string>>& result);
/// A temporary-failure reply: ":defer: " and the reason on one line, cut to fit.
std::string defer_reply(std::string_view reason);

/// Values as Exim syntax, or nothing when a value cannot be said safely (then the reply is
/// a temporary failure).  Exposed for the unit tests.
std::optional<std::string> redirect_list(const std::vector<std::string>& addresses);
std::optional<std::string> colon_list(const std::vector<std::string>& items);
bool safe_mailbox_path(std::string_view path);

} // namespace vmaildir::exim
