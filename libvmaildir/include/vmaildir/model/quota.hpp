// Mailbox quotas as the presets store them, in bytes for the hosts that want a
// number (Exim's appendfile `quota`).
//
// Accepted forms (the stored text is what the Postfix `quota` map answers):
//   100000000          bytes
//   100000000S         Courier maildirsize: S = bytes, C = messages, comma-separated
//   10000000S,1000C    (a message-count limit gives no byte limit: 0 when alone)
//   100M  32K  2G  1T  the mailrouter preset's Exim style, binary multiples
// 0 means no limit, as it does for Exim and maildirsize.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace vmaildir {

/// The byte limit a stored quota gives; nothing when it is malformed or overflows (an entry
/// to repair: adapters answer a temporary failure, never "no limit").
std::optional<std::uint64_t> quota_bytes(std::string_view stored);

} // namespace vmaildir
