// One configuration file as settings: every `key = value` with the line it
// stands on, scanned once.  The key tables (core_keys.cpp, each backend's
// settings) take their values from here, and every error names file, line and
// key.
#pragma once

#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

/// What the reference says of one key.
struct KeyHelp {
    const char* name;
    const char* default_text; ///< nullptr: required; "" : empty by default
    const char* help;
    bool multi = false; ///< may be given several times; the values accumulate
};

class ConfigText {
public:
    struct Setting {
        std::string key;
        std::string value; ///< trimmed; may be empty ("key =")
        std::size_t line = 0;
    };

    /// Scans the text: a `#` at the start of a line or after a blank starts a comment, blank
    /// lines are skipped, every other line must be `key = value` (a comment right after the
    /// `=` is refused: it would leave the value empty unseen).  Throws ConfigError naming the line of anything else (sections included).
    /// Relative paths in values are taken relative to `base_dir` (see path()).
    ConfigText(std::istream& in, std::string source, std::string base_dir);

    const std::string& source() const noexcept { return source_; }

    /// Refuses, in this order: the first key in the file that no table in `known` has
    /// ("unknown key"), then a key that is not `multi` but given more than once.
    void check_keys(const std::vector<KeyHelp>& known) const;

    /// The settings of `key`, in file order; empty when it is not set.
    std::vector<const Setting*> settings(std::string_view key) const;
    /// The value of a key given at most once, or nullptr.
    const Setting* find(std::string_view key) const;
    /// The line `key` is first (or last) set on; 0 when it is not set.
    std::size_t line_of(std::string_view key, bool last = false) const;

    /// Throws ConfigError "SOURCE:LINE: KEY: problem" with `key`'s first line (0: none).
    [[noreturn]] void fail(std::string_view key, const std::string& problem) const;
    [[noreturn]] void fail(std::string_view key, const std::string& problem,
                           std::size_t line) const;

    /// A path from the file: absolute as given, relative ones below the file's directory.
    std::string path(std::string_view value) const;

private:
    std::string source_;
    std::string base_dir_;
    std::vector<Setting> settings_;
};

} // namespace vmaildir
