// What every program does first, in one place: read the configuration, make the
// logger it asks for, open the Service.  The daemons, the Courier module and the
// `vmaildir` command all start here, so a broken configuration is handled alike
// everywhere: kept with file, line and key for the program to report, and
// answered with a service that gives a temporary failure for every question
// (SPEC §6).
#pragma once

#include "vmaildir/config/config.hpp"
#include "vmaildir/service/service.hpp"
#include "vmaildir/util/log.hpp"

#include <memory>
#include <optional>
#include <string>

namespace vmaildir {

/// Where a program logs.
struct LogChoice {
    std::string ident;               ///< program name in log lines ("vmaildir-postfix")
    std::string target;              ///< "syslog", "stderr", or "" for the configuration's `log`
    std::string fallback = "syslog"; ///< where to log when the configuration cannot be read
    std::optional<LogLevel> level;   ///< instead of the configuration's log_level
};

class Bootstrap {
public:
    /// Reads the configuration at `path`, then makes the logger; a configuration that cannot be
    /// used is kept as problem(), for the program to report in its own terms.
    Bootstrap(std::string path, LogChoice choice);

    const std::string& path() const noexcept { return path_; }
    /// The configuration, or nullptr when it cannot be used; callers may adjust it before
    /// open() (`vmaildir --ldif`).
    Config* config() noexcept { return config_ ? &*config_ : nullptr; }
    /// Why the configuration cannot be used ("FILE:LINE: KEY: problem"); empty when it can.
    const std::string& problem() const noexcept { return problem_; }
    /// The logger; it lives as long as the Bootstrap, and so must every service opened here.
    Logger& log() const noexcept { return *log_; }

    /// A service for the configuration, or a broken one naming problem().
    std::unique_ptr<Service> open() const;
    /// Rereads the file (SIGHUP): a service for the new configuration, or nullptr when it
    /// cannot be used, logged as "reload refused, keeping the running configuration".  The
    /// logger stays as it is.
    std::unique_ptr<Service> reload() const;

private:
    std::string path_;
    std::optional<Config> config_;
    std::string problem_;
    std::unique_ptr<Logger> log_;
};

} // namespace vmaildir
