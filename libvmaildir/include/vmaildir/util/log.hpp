// Logging with Postfix msg(3) meanings, to syslog or stderr.
//
// Every temporary failure is logged once, with its reason, by whoever turns
// it into a host reply.  Nothing logged may contain a password or bind
// secret; log lines name the adapter, the map and the key instead, the key
// rendered with util::printable (vmaildir/util/text.hpp).
#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace vmaildir {

enum class LogLevel { debug, info, warning, error };

/// A log sink.  Thread-safe: write() may be called from many threads.
class Logger {
public:
    virtual ~Logger() = default;
    virtual void write(LogLevel level, std::string_view message) = 0;
    /// Messages below this level are dropped before formatting where callers check enabled().
    void set_threshold(LogLevel level) noexcept { threshold_ = level; }
    bool enabled(LogLevel level) const noexcept { return level >= threshold_; }

    void debug(std::string_view m) { log(LogLevel::debug, m); }
    void info(std::string_view m) { log(LogLevel::info, m); }
    void warning(std::string_view m) { log(LogLevel::warning, m); }
    void error(std::string_view m) { log(LogLevel::error, m); }

private:
    void log(LogLevel level, std::string_view m) {
        if (enabled(level))
            write(level, m);
    }
    LogLevel threshold_ = LogLevel::info;
};

/// Writes "PROGRAM: level: message" lines to stderr.
std::unique_ptr<Logger> make_stderr_logger(std::string program);
/// Writes to syslog(3) with the given ident and facility name ("mail", "daemon", "local0".."local7").
/// Returns nothing for an unknown facility name.
std::unique_ptr<Logger> make_syslog_logger(std::string ident, std::string_view facility);
/// Whether `name` is a facility make_syslog_logger() accepts (checks without opening syslog).
bool is_syslog_facility(std::string_view name);
/// Discards everything (tests, and hosts that have no log of their own).
std::unique_ptr<Logger> make_null_logger();

/// Parses "debug", "info", "warning", "error".
bool parse_log_level(std::string_view text, LogLevel& level);

} // namespace vmaildir
