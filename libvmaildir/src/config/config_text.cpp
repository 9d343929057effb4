// Scanning a configuration file into settings (config_text.hpp), and ConfigError.
//
// The syntax is that of Postfix's main.cf and ldap_table(5) files, and of
// Boost.Program_options' config files (which vmaildir read them with before):
// `#` to the end of the line is a comment, blanks around keys and values are
// insignificant, a value is everything after the first `=`.
#include "config/config_text.hpp"

#include "vmaildir/config/config.hpp"
#include "vmaildir/util/text.hpp"

#include <map>
#include <set>

namespace vmaildir {

ConfigError::ConfigError(const std::string& file, std::size_t line, const std::string& key,
                         const std::string& problem)
    : std::runtime_error(file + (line ? ":" + std::to_string(line) : std::string()) + ": " +
                         (key.empty() ? std::string() : key + ": ") + problem),
      file_(file), line_(line), key_(key) {}

ConfigText::ConfigText(std::istream& in, std::string source, std::string base_dir)
    : source_(std::move(source)), base_dir_(std::move(base_dir)) {
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view l = util::trim(line);
        if (auto hash = l.find('#'); hash != std::string_view::npos)
            l = util::trim(l.substr(0, hash));
        if (l.empty())
            continue;
        if (l.front() == '[')
            throw ConfigError(source_, number, "",
                              "sections are not supported, got '" + util::printable(l) + "'");
        auto eq = l.find('=');
        if (eq == std::string_view::npos)
            throw ConfigError(source_, number, "",
                              "expected 'key = value', got '" + util::printable(l) + "'");
        std::string key(util::trim(l.substr(0, eq)));
        if (key.empty())
            throw ConfigError(source_, number, "", "missing key before '='");
        settings_.push_back({std::move(key), std::string(util::trim(l.substr(eq + 1))), number});
    }
}

void ConfigText::check_keys(const std::vector<KeyHelp>& known) const {
    std::map<std::string_view, bool> multi;
    for (const KeyHelp& k : known)
        multi.emplace(k.name, k.multi);
    for (const Setting& s : settings_)
        if (!multi.count(s.key))
            throw ConfigError(source_, s.line, s.key, "unknown key");
    std::set<std::string_view> seen;
    for (const Setting& s : settings_)
        if (!seen.insert(s.key).second && !multi.at(s.key))
            throw ConfigError(source_, line_of(s.key, true), s.key, "given more than once");
}

std::vector<const ConfigText::Setting*> ConfigText::settings(std::string_view key) const {
    std::vector<const Setting*> out;
    for (const Setting& s : settings_)
        if (s.key == key)
            out.push_back(&s);
    return out;
}

const ConfigText::Setting* ConfigText::find(std::string_view key) const {
    for (const Setting& s : settings_)
        if (s.key == key)
            return &s;
    return nullptr;
}

std::size_t ConfigText::line_of(std::string_view key, bool last) const {
    std::size_t line = 0;
    for (const Setting& s : settings_)
        if (s.key == key) {
            line = s.line;
            if (!last)
                break;
        }
    return line;
}

void ConfigText::fail(std::string_view key, const std::string& problem) const {
    fail(key, problem, line_of(key));
}

void ConfigText::fail(std::string_view key, const std::string& problem, std::size_t line) const {
    throw ConfigError(source_, line, std::string(key), problem);
}

std::string ConfigText::path(std::string_view value) const {
    std::string p(value);
    if (p.empty() || p.front() == '/' || base_dir_.empty() || base_dir_ == ".")
        return p;
    return base_dir_ + "/" + p;
}

} // namespace vmaildir
