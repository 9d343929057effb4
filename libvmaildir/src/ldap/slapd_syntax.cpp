// slapd access-rule syntax (the quoting rules are in slapd_syntax.hpp).
#include "ldap/slapd_syntax.hpp"

#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <cstdio>

namespace vmaildir::ldap {

using util::ascii_lower;

std::string regex_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (std::string_view(".[]()*+?{}|^$\\").find(c) != std::string_view::npos)
            out += '\\';
        out += c;
    }
    return out;
}

std::string value_regex(std::string_view value) {
    std::string out;
    for (std::size_t i = 0; i < value.size(); ++i) {
        auto c = static_cast<unsigned char>(value[i]);
        bool edge_space = c == ' ' && (i == 0 || i + 1 == value.size());
        bool special = c < 0x20 || c == 0x7f || c == ',' || c == '+' || c == '"' || c == '\\' ||
                       c == '<' || c == '>' || c == ';' || edge_space || (c == '#' && i == 0);
        if (special) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\\\%02X", c); // regex \\ = one literal backslash
            out += buf;
        } else if (c >= 'A' && c <= 'Z') {
            out += static_cast<char>(c - 'A' + 'a');
        } else {
            out += regex_escape(std::string_view(value.data() + i, 1));
        }
    }
    return out;
}

std::string dn_regex(std::string_view dn) {
    auto rdns = util::parse_dn(dn);
    if (!rdns)
        return regex_escape(ascii_lower(dn)); // only ever matches itself, like normalise_dn
    std::string out;
    for (const util::Rdn& rdn : *rdns) {
        if (!out.empty())
            out += ',';
        bool first = true;
        for (const util::Ava& ava : rdn) {
            if (!first)
                out += '+';
            first = false;
            out += regex_escape(ava.type) + "=" + value_regex(ava.value);
        }
    }
    return out;
}

std::string quoted(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '\\' || c == '"')
            out += '\\';
        out += c;
    }
    return out + '"';
}

std::string expand_literal(std::string_view s) {
    std::string out;
    for (char c : s) {
        out += c;
        if (c == '$')
            out += '$';
    }
    return out;
}

std::string member_set(std::string_view dn, std::string_view member_attribute) {
    return "[" + std::string(dn) + "]/" + std::string(member_attribute) + " & user";
}

std::string flag_set(std::string_view dn, std::string_view attribute) {
    return "[" + std::string(dn) + "]/" + std::string(attribute) + " & [TRUE]";
}

std::string both_sets(std::string_view a, std::string_view b) {
    return "(" + std::string(a) + ") + (" + std::string(b) + ")";
}

} // namespace vmaildir::ldap
