// Conversions of configuration values, shared by every key table.  Each throws
// BadValue with a one-line problem; the table adds file, line and key.
#pragma once

#include "config/keys.hpp"

#include <chrono>
#include <string>

namespace vmaildir {

/// yes/no, true/false, on/off, 1/0 (case-insensitive; LDAP's TRUE/FALSE too).
bool to_bool(const std::string& value);
/// A decimal number from `min` to `max`.
unsigned long to_number(const std::string& value, unsigned long min, unsigned long max);
/// Postfix time syntax: a number with an optional unit s, m, h, d (seconds by default), or ms;
/// at most 3650 days.
std::chrono::milliseconds to_duration(const std::string& value);
/// The first line of a file holding a secret (a bind password), without its line ending.
/// The problem never contains the secret.
std::string read_secret_file(const std::string& path);

} // namespace vmaildir
