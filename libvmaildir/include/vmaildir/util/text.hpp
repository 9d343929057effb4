// Small ASCII string helpers with no mail knowledge.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmaildir::util {

/// ASCII lower-casing; bytes >= 0x80 are left alone (UTF-8 stays intact).
std::string ascii_lower(std::string_view s);
/// ASCII case-insensitive equality.
bool iequals(std::string_view a, std::string_view b) noexcept;
/// Removes leading and trailing blanks (space, tab, CR, LF).
std::string_view trim(std::string_view s) noexcept;
/// Splits on any of `separators`, dropping empty fields ("a, b,,c" on ", " → a b c).
std::vector<std::string> split_list(std::string_view s, std::string_view separators = ", \t");
/// Parses a boolean as LDAP and Postfix write them: TRUE/FALSE, yes/no, on/off, 1/0
/// (case-insensitive).  Returns false in `ok` for anything else.
bool parse_bool(std::string_view s, bool& ok) noexcept;
/// The value of a hexadecimal digit in either case, or -1 for any other character.
constexpr int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}
/// Renders a string for a log line: control bytes, backslash and non-ASCII as \xHH, cut at
/// `limit` bytes with "..." appended.  Hostile keys stay one readable line.
std::string printable(std::string_view s, std::size_t limit = 200);

} // namespace vmaildir::util
