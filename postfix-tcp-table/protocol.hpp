// The two Postfix lookup-table protocols vmaildir serves.
//
// SOCKETMAP (socketmap_table(5), Postfix 2.10+)
//   Every request and every reply is one netstring, "<decimal length>:<bytes>,".
//   Request payload: "<map name> <key>" (the key may contain spaces).  Replies:
//     "OK <data>"        found; the data is never empty (Postfix rejects that)
//     "NOTFOUND "        not found (the trailing space is what Postfix sends too)
//     "TEMP <reason>"    temporary failure: Postfix answers 4xx / defers
//   vmaildir never sends "PERM" (Postfix maps it to a configuration error) nor
//   "TIMEOUT".  One connection carries many requests in sequence; replies are at
//   most 100000 bytes (the client's limit).
//
// TCP_TABLE (tcp_table(5))
//   Request: "get <key>\n" with %, whitespace and non-printable bytes encoded as
//   %XX.  Replies, encoded the same way, ending in "\n", at most 4096 bytes:
//     "200 <data>"  found      "500 <text>"  not found      "400 <text>"  try later
//   Only "get" exists; the protocol carries no map name, so a tcp_table listener
//   serves one map.
//
// Both: keys arrive exactly as Postfix has them (full address, original case,
// +ext kept); the map semantics are the core's (vmaildir/maps.hpp).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmaildir/directory/result.hpp"

namespace vmaildir::postfix {

inline constexpr std::size_t max_socketmap_reply = 100000;
inline constexpr std::size_t max_tcp_reply = 4096;
/// Requests longer than this are refused (a key is at most a few hundred bytes).
inline constexpr std::size_t max_request = 16384;

/// Incremental netstring decoder over a byte stream.
class NetstringReader {
public:
    enum class Status { complete, need_more, malformed };

    /// Appends received bytes.
    void feed(std::string_view bytes) { buffer_.append(bytes); }
    /// Extracts the next complete payload into `payload`.  `malformed` when the stream cannot
    /// be a netstring (bad length, missing ',', longer than max_request): the connection must
    /// be closed, since the framing is lost.
    Status next(std::string& payload);
    /// Bytes received and not yet returned as a payload (part of the next request).
    std::size_t buffered() const noexcept { return buffer_.size() - start_; }

private:
    std::string buffer_;
    std::size_t start_ = 0; ///< where the next netstring begins in buffer_
};

/// Frames a payload as a netstring.
std::string netstring(std::string_view payload);

/// Views into the request payload: valid while the payload is.
struct SocketmapRequest {
    std::string_view map;
    std::string_view key;
};
/// Splits "<name> <key>"; nothing when there is no space or the name is empty.
std::optional<SocketmapRequest> parse_socketmap_request(std::string_view payload);

/// The reply payload (not yet framed) for a lookup outcome.  Values are joined with ",".
/// Reasons lose CR/LF and are cut so that the reply fits Postfix's limit; found data that
/// does not fit becomes a temporary failure.
std::string socketmap_reply(const Result<std::vector<std::string>>& result);
/// A temporary-failure reply with a reason (protocol errors, unknown maps).
std::string socketmap_temp(std::string_view reason);

/// Decodes %XX escapes; nothing for a bad escape.
std::optional<std::string> tcp_decode(std::string_view text);
/// Encodes %, whitespace, non-printable bytes and non-ASCII as %XX.
std::string tcp_encode(std::string_view bytes);
/// The key of a "get <key>" request line (without its "\n", a trailing "\r" tolerated), or
/// nothing for anything else.
std::optional<std::string> parse_tcp_request(std::string_view line);
/// The reply line, "\n" included.
std::string tcp_reply(const Result<std::vector<std::string>>& result);
/// A "400" reply line for protocol errors.
std::string tcp_temp(std::string_view reason);

} // namespace vmaildir::postfix
