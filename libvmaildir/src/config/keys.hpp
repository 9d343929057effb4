// Configuration keys as tables: each key's name, default and meaning (what
// `vmaildir config-keys` prints), and how its value is applied.  The core
// (core_keys.cpp) and every backend (ldap/settings.cpp, ...) own one table.
#pragma once

#include "config/config_text.hpp"

#include <functional>
#include <ostream>
#include <string>
#include <vector>

namespace vmaildir {

/// A value that does not fit its key; apply_keys() adds file, line and key.
struct BadValue {
    std::string problem;
};

/// One key of a table that fills a T.
template <class T> struct Key {
    const char* name;
    const char* default_text;
    const char* help;
    bool multi = false;
    /// Applies one value (trimmed); throws BadValue.
    std::function<void(T&, const std::string&)> apply;
};

/// The reference entries of a table.
template <class T> std::vector<KeyHelp> help_of(const std::vector<Key<T>>& keys) {
    std::vector<KeyHelp> out;
    for (const Key<T>& k : keys)
        out.push_back({k.name, k.default_text, k.help, k.multi});
    return out;
}

/// Applies, key by key in table order, every value `text` sets for a key of the table; a
/// BadValue becomes a ConfigError naming the line of that value.
template <class T>
void apply_keys(const ConfigText& text, const std::vector<Key<T>>& keys, T& target) {
    for (const Key<T>& k : keys)
        for (const ConfigText::Setting* s : text.settings(k.name)) {
            try {
                k.apply(target, s->value);
            } catch (const BadValue& bad) {
                text.fail(k.name, bad.problem, s->line);
            }
        }
}

/// Man-page style lines: "name (default: x)" and the help indented below it.
void write_reference(std::ostream& out, const std::vector<KeyHelp>& keys);

} // namespace vmaildir
