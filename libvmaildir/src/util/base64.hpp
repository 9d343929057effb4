// Base64 (RFC 4648) through OpenSSL's EVP codec, for LDIF and {SSHA}-style values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vmaildir::util {

std::string base64_encode(std::string_view bytes);
/// Decodes standard base64 with padding; blanks are ignored.  Nothing when malformed.
std::optional<std::string> base64_decode(std::string_view text);

} // namespace vmaildir::util
