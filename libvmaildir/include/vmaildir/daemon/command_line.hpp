// Command lines of vmaildir's programs: options with defaults, bare arguments,
// `--help` in man-page style and usage errors that exit 64 (EX_USAGE).  One
// parser for every program; Boost.Program_options does the work, behind this
// header.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir::daemon {

struct Option {
    enum class Kind {
        flag,   ///< present or not
        value,  ///< takes one value
        values, ///< takes a value, may be repeated
    };
    std::string names; ///< "config,c": the long name, then an optional one-letter name
    Kind kind = Kind::value;
    std::string help;
    std::optional<std::string> default_value; ///< shown in --help; value() of an absent option
};

/// A program's command line, as --help describes it.
struct Program {
    std::string name;            ///< "vmaildir-postfix": every message starts with it
    std::string usage;           ///< the text above the option list
    std::string epilogue;        ///< the text below it (exit status, files)
    std::vector<Option> options; ///< --help/-h is always added
    bool arguments = false; ///< whether bare arguments (a command and its arguments) are allowed
};

class CommandLine {
public:
    /// Parses `argv`.  Nothing when the program is to exit at once with `exit_status`: 0 after
    /// printing --help to stdout, 64 after printing a usage error to stderr.
    static std::optional<CommandLine> parse(const Program& program, int argc,
                                            const char* const* argv, int& exit_status);

    /// Whether the option was given (for flags: set).
    bool has(std::string_view name) const;
    /// The option's value, else its default, else "".
    std::string value(std::string_view name) const;
    /// Every value of a repeatable option, in order.
    std::vector<std::string> values(std::string_view name) const;
    /// The bare arguments, in order.
    const std::vector<std::string>& arguments() const noexcept { return arguments_; }

private:
    struct Given {
        std::string name;
        std::vector<std::string> values;
    };
    std::vector<Given> given_;
    std::vector<Given> defaults_;
    std::vector<std::string> arguments_;
};

/// Writes "PROGRAM: message" and "Try 'PROGRAM --help'." to stderr; returns 64 (EX_USAGE).
int usage_error(const Program& program, const std::string& message);

} // namespace vmaildir::daemon
