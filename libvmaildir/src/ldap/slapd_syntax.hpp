// The syntax of slapd access rules: slapd.conf quoting, dn.regex patterns that
// match normalised DNs, `expand` literals and set membership.  Used by the rule
// generator (access_rules.cpp); no libldap, just text.
//
// Quoting, twice over.  slapd.conf's tokenizer (servers/slapd/config.c strtok_quote) drops a
// backslash and keeps the character after it, so every backslash that must reach slapd is
// written doubled and a double quote inside a quoted token as \".  dn.regex patterns are
// POSIX extended regular expressions matched case-insensitively against the *normalised* DN
// (types and case-ignore values lower-cased, no spaces after commas, special characters as
// \XX with upper-case hex, UTF-8 left alone: checked with slapdn -N on 2.5.13).  In `expand`
// strings of <who> clauses `$n` is a submatch and `$$` a literal dollar.
#pragma once

#include <string>
#include <string_view>

namespace vmaildir::ldap {

/// Escapes the ERE metacharacters . [ ] ( ) * + ? { } | ^ $ and the backslash.
std::string regex_escape(std::string_view s);

/// One attribute value as slapd's normalised DN spells it, as a regex.
std::string value_regex(std::string_view value);

/// A DN (e.g. the search base) as a regex matching its normalised form.  Multi-valued RDNs
/// keep the order given (slapd sorts them: write them in slapd's order if you have any).
std::string dn_regex(std::string_view dn);

/// A quoted slapd.conf token.
std::string quoted(std::string_view s);

/// Literal text inside an `expand` string: a dollar must not start a submatch reference.
std::string expand_literal(std::string_view s);

/// Membership of a role or group entry, as a slapd set: "[<dn>]/<attr> & user" is non-empty
/// when the bound DN is among the entry's <attr> values.  Not `group/<class>/<attr>`: slapd
/// refuses a class that does not allow <attr> (slaptest: "roleOccupant not allowed by
/// JammMailAlias") and at run time requires the group entry to list that very class
/// (back-mdb/id2entry.c mdb_entry_get), while the Schema names no class for the role entry
/// and the layouts differ (Jamm: JammPostmaster, old Jamm and Courier: organizationalRole,
/// mailrouter: groupOfNames).  A set reads the attribute whatever the entry's classes
/// (acl.c acl_set_gather2 reads it without an access check) and compares normalised DNs.
/// The DN inside [...] must not contain ']'; the DNs used here are the configured group, the
/// search base and a domain name that only site admins create.
std::string member_set(std::string_view dn, std::string_view member_attribute);

/// "[<dn>]/<attr> & [TRUE]": non-empty when the entry's boolean <attr> is TRUE (an absent
/// attribute gives the empty set).  Values compare byte for byte (sets.c bvmatch); slapd's
/// Boolean syntax stores them as TRUE/FALSE.
std::string flag_set(std::string_view dn, std::string_view attribute);

/// "(<a>) + (<b>)": the concatenation of two sets, which is empty when either is (sets.c
/// slap_set_join), so the clause holds when both do.
std::string both_sets(std::string_view a, std::string_view b);

} // namespace vmaildir::ldap
