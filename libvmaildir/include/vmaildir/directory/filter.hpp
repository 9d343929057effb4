// Search filters as values, never as spliced strings.
//
// Keys enter a search only as the `value` of an equality node; to_string()
// escapes them per RFC 4515 §3 when the LDAP backend needs the string form,
// and the in-memory directory evaluates the tree directly.  So no key can
// change the shape of a filter ("a key can never widen a search", SPEC §2).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

class Entry;

class Filter {
public:
    /// (attr=value): equality; value is arbitrary bytes, escaped on output.
    static Filter equals(std::string attribute, std::string value);
    /// (attr=*): presence.
    static Filter present(std::string attribute);
    /// (&...): true when every operand is (an empty AND is true, RFC 4526).
    static Filter all_of(std::vector<Filter> operands);
    /// (|...): true when any operand is (an empty OR is false).
    static Filter any_of(std::vector<Filter> operands);
    /// (!...).
    static Filter negate(Filter operand);

    /// RFC 4515 string form with every value escaped (`*` `(` `)` `\` NUL and non-ASCII as \XX).
    std::string to_string() const;
    /// Evaluates the filter against an entry the way slapd does for IA5/directory strings with
    /// case-ignore equality; objectClass values match case-insensitively too.
    bool matches(const Entry& entry) const;

    enum class Kind { equals, present, all_of, any_of, negate };
    Kind kind() const noexcept { return kind_; }
    /// The attribute of an equality or presence node (empty otherwise).
    const std::string& attribute() const noexcept { return attribute_; }
    /// The assertion value of an equality node (empty otherwise).
    const std::string& value() const noexcept { return value_; }
    /// The operands of an AND, OR or NOT node (empty otherwise).
    const std::vector<Filter>& operands() const noexcept { return operands_; }

private:
    Filter(Kind kind) : kind_(kind) {}
    void append_to(std::string& out) const;

    Kind kind_;
    std::string attribute_;
    std::string value_;
    std::vector<Filter> operands_;
};

/// Escapes a filter assertion value per RFC 4515 §3 (and also non-ASCII bytes, as libldap's
/// ldap_bv2escaped_filter_value does, so the result is plain ASCII).
std::string escape_filter_value(std::string_view value);

} // namespace vmaildir
