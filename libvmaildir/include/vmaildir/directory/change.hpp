// Changes to directory entries, as LDIF change records (RFC 2849) carry them: what
// the administration commands send, and print with --dry-run.
#pragma once

#include "vmaildir/directory/entry.hpp"

#include <string>
#include <vector>

namespace vmaildir {

/// One modification of one attribute (RFC 4511 §4.6).  `remove` without values removes the
/// attribute; with values, only those values.
struct Modification {
    enum class Op { replace, add, remove };
    Op op = Op::replace;
    std::string attribute;
    std::vector<std::string> values;
};

/// One change to one entry.
struct Change {
    enum class Kind { add, remove, modify };
    Kind kind = Kind::modify;
    std::string dn;
    Entry entry;                             ///< add: the new entry (its DN is `dn`)
    std::vector<Modification> modifications; ///< modify: applied all or nothing

    static Change add(Entry entry);
    static Change remove(std::string dn);
    static Change modify(std::string dn, std::vector<Modification> modifications);
};

/// Applies one modification to `entry` as slapd would, without a schema: values compare
/// ignoring ASCII case; the reason slapd would refuse it (adding an existing value or no
/// values, removing an absent attribute or value), or empty when applied.
std::string apply_modification(Entry& entry, const Modification& modification);

/// The changes as LDIF change records that ldapmodify(1) applies, in order, each preceded by
/// `# comment` lines when given (comments[i] for changes[i]; fewer comments are fine).  Values
/// that are not safe strings (RFC 2849: leading space, colon or '<', a trailing space, NUL,
/// CR, LF or a byte over 127) are written base64 with "::".
std::string to_ldif(const std::vector<Change>& changes,
                    const std::vector<std::string>& comments = {});

} // namespace vmaildir
