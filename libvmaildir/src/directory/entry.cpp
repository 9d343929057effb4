// Directory entries: attributes by case-insensitive name (vmaildir/directory/entry.hpp).
#include "vmaildir/directory/entry.hpp"

#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir {

namespace {

const std::vector<std::string> no_values;

// True when a stored attribute `name` answers the request for `requested`: the same
// description, or `requested` is its base type.
bool selects(std::string_view requested, std::string_view name) {
    if (util::iequals(requested, name))
        return true;
    return name.size() > requested.size() && name[requested.size()] == ';' &&
           util::iequals(name.substr(0, requested.size()), requested);
}

} // namespace

const std::vector<std::string>& Entry::values(std::string_view name) const {
    for (const Attribute& a : attributes_)
        if (util::iequals(a.name, name))
            return a.values;
    return no_values;
}

bool Entry::has_value(std::string_view name, std::string_view value) const {
    for (const std::string& v : values(name))
        if (util::iequals(v, value))
            return true;
    return false;
}

void Entry::add(std::string_view name, std::string value) {
    for (Attribute& a : attributes_)
        if (util::iequals(a.name, name)) {
            a.values.push_back(std::move(value));
            return;
        }
    attributes_.push_back({std::string(name), {std::move(value)}});
}

void Entry::replace(std::string_view name, std::vector<std::string> values) {
    for (auto it = attributes_.begin(); it != attributes_.end(); ++it)
        if (util::iequals(it->name, name)) {
            if (values.empty())
                attributes_.erase(it);
            else
                it->values = std::move(values);
            return;
        }
    if (!values.empty())
        attributes_.push_back({std::string(name), std::move(values)});
}

Entry Entry::selected(const std::vector<std::string>& requested) const {
    if (requested.empty() || std::find(requested.begin(), requested.end(), "*") != requested.end())
        return *this;
    Entry out(dn_);
    for (const Attribute& attribute : attributes_)
        for (const std::string& r : requested)
            if (selects(r, attribute.name)) {
                out.replace(attribute.name, attribute.values);
                break;
            }
    return out;
}

} // namespace vmaildir
