// Distinguished names (RFC 4514) without libldap: parsing for comparison,
// and escaping of values that go into a DN.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir::util {

/// One attribute=value pair of an RDN, with the type lower-cased and the value unescaped.
struct Ava {
    std::string type;
    std::string value;
};
using Rdn = std::vector<Ava>; // multi-valued RDNs (a+b) keep every pair

/// Parses a DN string into RDNs, most specific first.  Nothing when malformed.
std::optional<std::vector<Rdn>> parse_dn(std::string_view dn);

/// A comparison form: types lower-case, values lower-case (every attribute vmaildir puts in a
/// DN has a case-ignore equality rule), no insignificant spaces.  Malformed DNs normalise to
/// their lower-cased text so that they only ever equal themselves.
std::string normalise_dn(std::string_view dn);

/// The comparison form of a well-formed DN, or nothing for a malformed one.
std::optional<std::string> try_normalise_dn(std::string_view dn);

/// True when `dn` equals `ancestor` or lies below it (both compared normalised).
bool dn_within(std::string_view dn, std::string_view ancestor);
/// The same for DNs already in comparison form (try_normalise_dn), for loops that compare many
/// DNs with one ancestor.
bool normalised_within(std::string_view dn, std::string_view ancestor);

/// The parent DN (everything after the first RDN), or nothing for a single-RDN or bad DN.
std::optional<std::string> parent_dn(std::string_view dn);

/// Escapes an attribute value for use in a DN string (RFC 4514 §2.4): `, + " \ < > ;` and a
/// leading `#` or space, a trailing space, and NUL; control bytes and non-ASCII as \XX.
std::string escape_dn_value(std::string_view value);

/// Builds "type=escaped-value,parent".
std::string make_dn(std::string_view type, std::string_view value, std::string_view parent);

} // namespace vmaildir::util
