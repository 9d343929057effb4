// userPassword schemes (SPEC §4): verification of every scheme a seed
// directory may hold, and hashing of new passwords with a strong scheme.
//
// Supported on verification: {CRYPT} with whatever libcrypt supports
// ($1$ MD5-crypt, $5$ SHA-256, $6$ SHA-512, $y$ yescrypt, $2b$ bcrypt, ...),
// {SSHA} {SSHA256} {SSHA512} {SMD5} with any salt length, and unsalted
// {SHA} {SHA256} {SHA512} {MD5}.  Scheme tags are case-insensitive (RFC 3112
// style values as OpenLDAP writes them).  Digests are compared in constant
// time.  A value without a {SCHEME} tag is cleartext and refused unless the
// caller allows it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include "vmaildir/auth/password_scheme.hpp"

namespace vmaildir {

enum class PasswordCheck {
    match,             ///< the candidate is the password
    mismatch,          ///< it is not
    unsupported,       ///< unknown scheme, or a malformed stored value: cannot tell
    cleartext_refused, ///< the stored value is cleartext and cleartext is not allowed
};

/// Checks `candidate` against a stored userPassword value.  Thread-safe (uses crypt_r).
PasswordCheck verify_password(std::string_view stored, std::string_view candidate,
                              bool allow_cleartext);

/// Whether a stored value is cleartext: no {SCHEME} tag, or {CLEARTEXT}.
bool stored_in_cleartext(std::string_view stored);

/// verify_password with cleartext allowed, as a yes/no: what an in-memory directory's binds
/// check (MemoryDirectory's PasswordMatcher; slapd takes a cleartext userPassword too).
bool password_matches(std::string_view stored, std::string_view offered);

/// Hashes `plain` with a fresh random salt, returning a userPassword value such as
/// "{CRYPT}$6$...".  Nothing when the system cannot produce it (no entropy, libcrypt lacks
/// the method) or the scheme would hash only part of `plain` (a NUL for crypt(3), more than
/// 72 bytes for bcrypt).  Thread-safe.
std::optional<std::string> hash_password(std::string_view plain, PasswordScheme scheme);

} // namespace vmaildir
