// Scanning a configuration file into settings (config_text.hpp), and ConfigError.
//
// The syntax is that of Postfix's main.cf and ldap_table(5) files: blanks around keys and
// values are insignificant, a value is everything after the first `=`.  A `#` at the start
// of a line, or after a blank, starts a comment to the end of the line (as in the shell);
// a `#` inside a value is part of it (`cn=#04...`, `recipient_delimiter =#`).  A comment
// right after the `=` would leave the value empty without saying so, and is refused.
#include "config/config_text.hpp"

#include "vmaildir/config/config.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace vmaildir {

ConfigError::ConfigError(const std::string& file, std::size_t line, const std::string& key,
                         const std::string& problem)
    : std::runtime_error(file + (line ? ":" + std::to_string(line) : std::string()) + ": " +
                         (key.empty() ? std::string() : util::printable(key) + ": ") + problem),
      file_(file), line_(line), key_(key) {}

namespace {

/// Where a comment starts in a trimmed line: at a `#` that begins it or follows a blank.
std::size_t comment_start(std::string_view l) {
    for (std::size_t i = 0; i < l.size(); ++i)
        if (l[i] == '#' && (i == 0 || l[i - 1] == ' ' || l[i - 1] == '\t'))
            return i;
    return std::string_view::npos;
}

/// The Levenshtein distance of two short keys (a mistyped key against the known ones).
std::size_t distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j)
        row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

/// "unknown key", with the nearest known key when one is close enough to be a typo.
std::string unknown_key(std::string_view key, const std::vector<KeyHelp>& known) {
    std::string_view best;
    std::size_t best_distance = 3; // a typo is at most two edits away
    if (key.size() <= 64)
        for (const KeyHelp& k : known)
            if (std::size_t d = distance(key, k.name); d < best_distance) {
                best = k.name;
                best_distance = d;
            }
    std::string out = "unknown key";
    if (!best.empty())
        out += " (did you mean '" + std::string(best) + "'?)";
    return out + "; `vmaildir config-keys` lists every key";
}

} // namespace

ConfigText::ConfigText(std::istream& in, std::string source, std::string base_dir)
    : source_(std::move(source)), base_dir_(std::move(base_dir)) {
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view l = util::trim(line);
        if (number == 1 && l.starts_with("\xEF\xBB\xBF")) // a UTF-8 byte order mark
            l = util::trim(l.substr(3));
        bool commented = false;
        if (auto hash = comment_start(l); hash != std::string_view::npos) {
            l = util::trim(l.substr(0, hash));
            commented = true;
        }
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
        if (commented && util::trim(l.substr(eq + 1)).empty())
            throw ConfigError(source_, number, key,
                              "a '#' after a blank starts a comment, which leaves the value "
                              "empty; write '" + util::printable(key) + " =' for an empty value, "
                              "or the value without a blank after '=' if it starts with '#'");
        settings_.push_back({std::move(key), std::string(util::trim(l.substr(eq + 1))), number});
    }
}

void ConfigText::check_keys(const std::vector<KeyHelp>& known) const {
    std::map<std::string_view, bool> multi;
    for (const KeyHelp& k : known)
        multi.emplace(k.name, k.multi);
    for (const Setting& s : settings_)
        if (!multi.count(s.key))
            throw ConfigError(source_, s.line, s.key, unknown_key(s.key, known));
    std::set<std::string_view> seen;
    for (const Setting& s : settings_)
        if (!seen.insert(s.key).second && !multi.at(s.key))
            throw ConfigError(source_, line_of(s.key, true), s.key,
                              "given more than once (first on line " +
                                  std::to_string(line_of(s.key)) + ")");
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
