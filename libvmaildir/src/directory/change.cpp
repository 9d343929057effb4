// Changes as values, and their LDIF change-record form (RFC 2849 "changerecord").
#include "vmaildir/directory/change.hpp"

#include "vmaildir/util/base64.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir {

Change Change::add(Entry entry) {
    Change c;
    c.kind = Kind::add;
    c.dn = entry.dn();
    c.entry = std::move(entry);
    return c;
}

Change Change::remove(std::string dn) {
    Change c;
    c.kind = Kind::remove;
    c.dn = std::move(dn);
    return c;
}

Change Change::modify(std::string dn, std::vector<Modification> modifications) {
    Change c;
    c.kind = Kind::modify;
    c.dn = std::move(dn);
    c.modifications = std::move(modifications);
    return c;
}

namespace {

// RFC 2849: SAFE-INIT-CHAR excludes NUL, LF, CR, space, colon and '<'; SAFE-CHAR excludes NUL,
// LF and CR; both only 7-bit.  A trailing space is dropped by some readers, so it is encoded
// too (as OpenLDAP's ldif_put does).
bool safe_string(const std::string& value) {
    if (value.empty())
        return true;
    const unsigned char first = static_cast<unsigned char>(value.front());
    if (first == ' ' || first == ':' || first == '<' || value.back() == ' ')
        return false;
    for (unsigned char c : value)
        if (c == '\0' || c == '\n' || c == '\r' || c > 127)
            return false;
    return true;
}

void line(std::string& out, const std::string& name, const std::string& value) {
    if (safe_string(value))
        out += name + ": " + value + "\n";
    else
        out += name + ":: " + util::base64_encode(value) + "\n";
}

const char* op_name(Modification::Op op) {
    switch (op) {
    case Modification::Op::replace:
        return "replace";
    case Modification::Op::add:
        return "add";
    case Modification::Op::remove:
        return "delete";
    }
    return "replace";
}

} // namespace

namespace {

bool contains_value(const std::vector<std::string>& values, std::string_view value) {
    return std::any_of(values.begin(), values.end(),
                       [&](const std::string& v) { return util::iequals(v, value); });
}

} // namespace

std::string apply_modification(Entry& entry, const Modification& change) {
    const std::string& name = change.attribute;
    switch (change.op) {
    case Modification::Op::replace:
        entry.replace(name, change.values);
        return {};
    case Modification::Op::add: {
        if (change.values.empty())
            return "modify/add: " + name + ": no values given";
        std::vector<std::string> values = entry.values(name);
        for (const std::string& v : change.values) {
            if (contains_value(values, v))
                return "modify/add: " + name + ": value exists (attributeOrValueExists)";
            values.push_back(v);
        }
        entry.replace(name, std::move(values));
        return {};
    }
    case Modification::Op::remove: {
        if (!entry.has(name))
            return "modify/delete: " + name + ": no such attribute";
        if (change.values.empty()) {
            entry.replace(name, {});
            return {};
        }
        std::vector<std::string> values = entry.values(name);
        for (const std::string& v : change.values) {
            auto it = std::find_if(values.begin(), values.end(),
                                   [&](const std::string& s) { return util::iequals(s, v); });
            if (it == values.end())
                return "modify/delete: " + name + ": no such value";
            values.erase(it);
        }
        entry.replace(name, std::move(values));
        return {};
    }
    }
    return "modify: unknown operation";
}

std::string to_ldif(const std::vector<Change>& changes, const std::vector<std::string>& comments) {
    std::string out;
    for (std::size_t i = 0; i < changes.size(); ++i) {
        const Change& c = changes[i];
        if (i > 0)
            out += "\n";
        if (i < comments.size() && !comments[i].empty()) {
            std::size_t start = 0;
            while (start <= comments[i].size()) {
                std::size_t end = comments[i].find('\n', start);
                out += "# " + comments[i].substr(start, end - start) + "\n";
                if (end == std::string::npos)
                    break;
                start = end + 1;
            }
        }
        line(out, "dn", c.dn);
        switch (c.kind) {
        case Change::Kind::add:
            out += "changetype: add\n";
            for (const Entry::Attribute& a : c.entry.attributes())
                for (const std::string& v : a.values)
                    line(out, a.name, v);
            break;
        case Change::Kind::remove:
            out += "changetype: delete\n";
            break;
        case Change::Kind::modify:
            out += "changetype: modify\n";
            for (const Modification& m : c.modifications) {
                out += std::string(op_name(m.op)) + ": " + m.attribute + "\n";
                for (const std::string& v : m.values)
                    line(out, m.attribute, v);
                out += "-\n";
            }
            break;
        }
    }
    return out;
}

} // namespace vmaildir
