// The password schemes vmaildir writes, by the names the configuration uses.
// Header-only: the configuration checks `password_scheme` without linking the
// cryptography that hashes (auth/password.hpp).
#pragma once

#include "vmaildir/util/text.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

/// Schemes vmaildir can write.
enum class PasswordScheme { sha512_crypt, sha256_crypt, yescrypt, bcrypt, ssha512, ssha256, ssha };

namespace detail {
struct SchemeName {
    PasswordScheme scheme;
    std::string_view name;
};
inline constexpr SchemeName scheme_names[] = {
    {PasswordScheme::sha512_crypt, "SHA512-CRYPT"},
    {PasswordScheme::sha256_crypt, "SHA256-CRYPT"},
    {PasswordScheme::yescrypt, "YESCRYPT"},
    {PasswordScheme::bcrypt, "BCRYPT"},
    {PasswordScheme::ssha512, "SSHA512"},
    {PasswordScheme::ssha256, "SSHA256"},
    {PasswordScheme::ssha, "SSHA"},
};
} // namespace detail

/// Parses a scheme name as written in the configuration: "SHA512-CRYPT", "SHA256-CRYPT",
/// "YESCRYPT", "BCRYPT", "SSHA512", "SSHA256", "SSHA" (case-insensitive).
inline std::optional<PasswordScheme> parse_password_scheme(std::string_view name) {
    for (const auto& s : detail::scheme_names)
        if (util::iequals(name, s.name))
            return s.scheme;
    return std::nullopt;
}

/// The configuration name of a scheme (empty for a value that is no enumerator).
inline std::string_view to_string(PasswordScheme scheme) {
    for (const auto& s : detail::scheme_names)
        if (s.scheme == scheme)
            return s.name;
    return "";
}

/// All scheme names, for help texts and error messages.
inline std::vector<std::string> password_scheme_names() {
    std::vector<std::string> names;
    for (const auto& s : detail::scheme_names)
        names.emplace_back(s.name);
    return names;
}

} // namespace vmaildir
