// Directory entries: attributes by case-insensitive name (vmaildir/directory/entry.hpp).
#include "vmaildir/directory/entry.hpp"

#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {
const std::vector<std::string> no_values;
}

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

} // namespace vmaildir
