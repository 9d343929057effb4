// What `vmaildir check` reports about a directory.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace vmaildir {

/// One finding of the check.
struct Finding {
    enum class Severity { info, warning, error };
    Severity severity = Severity::error;
    std::string text;
};

struct CheckReport {
    std::vector<Finding> findings;
    /// Counts of what was examined.
    std::size_t domains = 0, accounts = 0, aliases = 0;
    /// Whether any finding is an error.
    bool has_errors() const;
};

} // namespace vmaildir
