// Base64 (RFC 4648 §4, the standard alphabet with padding), for LDIF values and
// {SSHA}-style password payloads.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vmaildir::util {

/// Encodes bytes, padded with '=' to a multiple of four characters.
std::string base64_encode(std::string_view bytes);
/// Decodes standard base64 with padding; blanks are ignored.  Nothing when malformed: a length
/// that is not a multiple of four, a character outside the alphabet, or '=' anywhere but in
/// the last two places.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace vmaildir::util
