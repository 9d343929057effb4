// Loggers: stderr, syslog with a named facility, and a null logger (vmaildir/util/log.hpp).
#include "vmaildir/util/log.hpp"

#include <syslog.h>

#include <cstdio>
#include <mutex>


namespace vmaildir {

namespace {

const char* level_name(LogLevel level) {
    switch (level) {
    case LogLevel::debug:
        return "debug";
    case LogLevel::info:
        return "info";
    case LogLevel::warning:
        return "warning";
    case LogLevel::error:
        return "error";
    }
    return "error";
}

class StderrLogger final : public Logger {
public:
    explicit StderrLogger(std::string program) : program_(std::move(program)) {}
    void write(LogLevel level, std::string_view message) override {
        std::lock_guard lock(mutex_); // one whole line per message, even from many threads
        std::fprintf(stderr, "%s: %s: %.*s\n", program_.c_str(), level_name(level),
                     static_cast<int>(message.size()), message.data());
    }

private:
    std::mutex mutex_;
    std::string program_;
};

class SyslogLogger final : public Logger {
public:
    SyslogLogger(std::string ident, int facility) : ident_(std::move(ident)) {
        // openlog keeps the pointer: ident_ lives as long as this logger.
        openlog(ident_.c_str(), LOG_PID | LOG_NDELAY, facility);
    }
    ~SyslogLogger() override { closelog(); }
    void write(LogLevel level, std::string_view message) override {
        int priority = LOG_ERR;
        switch (level) {
        case LogLevel::debug:
            priority = LOG_DEBUG;
            break;
        case LogLevel::info:
            priority = LOG_INFO;
            break;
        case LogLevel::warning:
            priority = LOG_WARNING;
            break;
        case LogLevel::error:
            priority = LOG_ERR;
            break;
        }
        syslog(priority, "%s: %.*s", level_name(level), static_cast<int>(message.size()),
               message.data());
    }

private:
    std::string ident_;
};

class NullLogger final : public Logger {
public:
    void write(LogLevel, std::string_view) override {}
};

} // namespace

std::unique_ptr<Logger> make_stderr_logger(std::string program) {
    return std::make_unique<StderrLogger>(std::move(program));
}

namespace {

struct Facility {
    const char* name;
    int value;
};

constexpr Facility facilities[] = {
    {"mail", LOG_MAIL},         {"daemon", LOG_DAEMON}, {"auth", LOG_AUTH},
    {"authpriv", LOG_AUTHPRIV}, {"user", LOG_USER},     {"local0", LOG_LOCAL0},
    {"local1", LOG_LOCAL1},     {"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
    {"local4", LOG_LOCAL4},     {"local5", LOG_LOCAL5}, {"local6", LOG_LOCAL6},
    {"local7", LOG_LOCAL7},
};

} // namespace

bool is_syslog_facility(std::string_view name) {
    for (const Facility& f : facilities)
        if (name == f.name)
            return true;
    return false;
}

std::unique_ptr<Logger> make_syslog_logger(std::string ident, std::string_view facility) {
    for (const Facility& f : facilities)
        if (facility == f.name)
            return std::make_unique<SyslogLogger>(std::move(ident), f.value);
    return nullptr;
}

std::unique_ptr<Logger> make_null_logger() { return std::make_unique<NullLogger>(); }

bool parse_log_level(std::string_view text, LogLevel& level) {
    for (LogLevel l : {LogLevel::debug, LogLevel::info, LogLevel::warning, LogLevel::error})
        if (text == level_name(l)) {
            level = l;
            return true;
        }
    return false;
}

} // namespace vmaildir
