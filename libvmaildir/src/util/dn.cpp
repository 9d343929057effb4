// Distinguished names without libldap: RFC 4514 parsing, comparison form, escaping
// (vmaildir/util/dn.hpp).
#include "vmaildir/util/dn.hpp"

#include <cstdio>

#include "vmaildir/util/text.hpp"

namespace vmaildir::util {

namespace {

bool is_space(char c) noexcept { return c == ' '; }

// Parses one attribute value starting at `i`; stops before an unescaped ',', ';' or '+'.
// Accepts the RFC 4514 string form, '#' hex (kept as text, it never occurs in mail DNs) and
// the legacy quoted form.  Trailing unescaped spaces are insignificant.
std::optional<std::string> parse_value(std::string_view dn, std::size_t& i) {
    std::string value;
    std::size_t significant = 0; // length of value up to the last escaped or non-space char
    if (i < dn.size() && dn[i] == '"') {
        ++i;
        while (i < dn.size() && dn[i] != '"') {
            if (dn[i] == '\\' && i + 1 < dn.size())
                ++i;
            value += dn[i++];
        }
        if (i >= dn.size())
            return std::nullopt;
        ++i; // closing quote
        while (i < dn.size() && is_space(dn[i]))
            ++i;
        return value;
    }
    while (i < dn.size()) {
        char c = dn[i];
        if (c == ',' || c == ';' || c == '+')
            break;
        if (c == '\\') {
            if (i + 1 >= dn.size())
                return std::nullopt;
            int hi = hex_value(dn[i + 1]);
            int lo = i + 2 < dn.size() ? hex_value(dn[i + 2]) : -1;
            if (hi >= 0 && lo >= 0) {
                value += static_cast<char>(hi * 16 + lo);
                i += 3;
            } else {
                value += dn[i + 1];
                i += 2;
            }
            significant = value.size();
            continue;
        }
        // RFC 4514 §3 allows an unescaped '=' in a value (SUTF1 includes %x3D) and slapd
        // accepts it: "mail=bob=fwd@example.org,..." is a valid DN.  A raw NUL is not.
        if (c == '\0')
            return std::nullopt;
        value += c;
        if (!is_space(c))
            significant = value.size();
        ++i;
    }
    value.resize(significant);
    return value;
}

} // namespace

std::optional<std::vector<Rdn>> parse_dn(std::string_view dn) {
    std::vector<Rdn> rdns;
    std::size_t i = 0;
    while (i < dn.size() && is_space(dn[i]))
        ++i;
    if (i == dn.size())
        return rdns; // the empty (root) DN
    Rdn rdn;
    while (true) {
        while (i < dn.size() && is_space(dn[i]))
            ++i;
        std::size_t start = i;
        while (i < dn.size() && dn[i] != '=' && dn[i] != ',' && dn[i] != '+' && dn[i] != ';')
            ++i;
        if (i >= dn.size() || dn[i] != '=')
            return std::nullopt;
        std::string type = ascii_lower(trim(dn.substr(start, i - start)));
        if (type.empty())
            return std::nullopt;
        for (char c : type)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
                return std::nullopt;
        ++i;
        while (i < dn.size() && is_space(dn[i]))
            ++i;
        auto value = parse_value(dn, i);
        if (!value)
            return std::nullopt;
        rdn.push_back({std::move(type), std::move(*value)});
        if (i >= dn.size()) {
            rdns.push_back(std::move(rdn));
            return rdns;
        }
        char sep = dn[i++];
        // An unquoted value always stops at a separator; a quoted one may be followed by
        // anything ("cn=\"a\"x,dc=b"), which is not a DN.
        if (sep != ',' && sep != ';' && sep != '+')
            return std::nullopt;
        if (sep != '+') {
            rdns.push_back(std::move(rdn));
            rdn.clear();
        }
    }
}

std::optional<std::string> try_normalise_dn(std::string_view dn) {
    auto rdns = parse_dn(dn);
    if (!rdns)
        return std::nullopt;
    std::string out;
    for (const Rdn& rdn : *rdns) {
        if (!out.empty())
            out += ',';
        bool first = true;
        for (const Ava& ava : rdn) {
            if (!first)
                out += '+';
            first = false;
            out += ava.type;
            out += '=';
            out += escape_dn_value(ascii_lower(ava.value));
        }
    }
    return out;
}

std::string normalise_dn(std::string_view dn) {
    auto normalised = try_normalise_dn(dn);
    return normalised ? std::move(*normalised) : ascii_lower(dn);
}

bool dn_within(std::string_view dn, std::string_view ancestor) {
    auto d = try_normalise_dn(dn);
    auto a = try_normalise_dn(ancestor);
    // A malformed DN is only ever within itself: its raw text has no trustworthy separators
    // ("x,dc=example" must not count as below dc=example).
    if (!d || !a)
        return ascii_lower(dn) == ascii_lower(ancestor);
    return normalised_within(*d, *a);
}

bool normalised_within(std::string_view d, std::string_view a) {
    if (a.empty())
        return true;
    if (d.size() < a.size() || d.compare(d.size() - a.size(), a.size(), a) != 0)
        return false;
    // Equal, or the match starts right after an RDN separator ("x=1,dc=a" vs "dc=a").  The
    // separator cannot be escaped: normalised values escape ',' as "\2C".
    return d.size() == a.size() || d[d.size() - a.size() - 1] == ',';
}

std::optional<std::string> parent_dn(std::string_view dn) {
    auto rdns = parse_dn(dn);
    if (!rdns || rdns->size() < 2)
        return std::nullopt;
    std::string out;
    for (std::size_t r = 1; r < rdns->size(); ++r) {
        if (!out.empty())
            out += ',';
        bool first = true;
        for (const Ava& ava : (*rdns)[r]) {
            if (!first)
                out += '+';
            first = false;
            out += ava.type + "=" + escape_dn_value(ava.value);
        }
    }
    return out;
}

std::string escape_dn_value(std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        auto c = static_cast<unsigned char>(value[i]);
        bool edge_space = c == ' ' && (i == 0 || i + 1 == value.size());
        if (c < 0x20 || c >= 0x7f || c == ',' || c == '+' || c == '"' || c == '\\' || c == '<' ||
            c == '>' || c == ';' || c == '=' || edge_space || (c == '#' && i == 0)) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "\\%02X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string make_dn(std::string_view type, std::string_view value, std::string_view parent) {
    std::string out(type);
    out += '=';
    out += escape_dn_value(value);
    if (!parent.empty()) {
        out += ',';
        out += parent;
    }
    return out;
}

} // namespace vmaildir::util
