// Reading LDIF content records (RFC 2849) into entries.
#pragma once

#include <istream>
#include <stdexcept>
#include <string>
#include <vector>

#include "vmaildir/directory/entry.hpp"

namespace vmaildir {

/// A malformed LDIF file; what() reads "SOURCE:LINE: problem".
class LdifError : public std::runtime_error {
public:
    LdifError(const std::string& source, std::size_t line, const std::string& problem);
    std::size_t line() const noexcept { return line_; }

private:
    std::size_t line_;
};

/// Parses LDIF content records: `dn:` lines, `attr: value`, `attr:: base64`, folded
/// continuation lines, comments, an optional `version: 1`.  Change records (`changetype:`)
/// other than `add` and `attr:< URL` values are rejected.  Throws LdifError naming `source`
/// and the line.
std::vector<Entry> parse_ldif(std::istream& in, const std::string& source);
/// Reads and parses a file.  Throws LdifError (also when the file cannot be opened).
std::vector<Entry> read_ldif_file(const std::string& path);

} // namespace vmaildir
