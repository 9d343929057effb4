// Configuration, logger and service for a program (vmaildir/service/bootstrap.hpp).
#include "vmaildir/service/bootstrap.hpp"

#include "vmaildir/service/config_file.hpp"

namespace vmaildir {

namespace {

std::unique_ptr<Logger> make_logger(const LogChoice& choice, const Config* config) {
    std::string where = !choice.target.empty() ? choice.target
                        : config               ? config->log_target
                                               : choice.fallback;
    if (where != "stderr")
        if (auto log = make_syslog_logger(choice.ident, config ? config->log_facility : "mail"))
            return log;
    return make_stderr_logger(choice.ident);
}

} // namespace

Bootstrap::Bootstrap(std::string path, LogChoice choice) : path_(std::move(path)) {
    try {
        config_ = load_config(path_);
    } catch (const ConfigError& e) {
        problem_ = e.what();
    }
    log_ = make_logger(choice, config());
    log_->set_threshold(choice.level ? *choice.level
                        : config_    ? config_->log_level
                                     : LogLevel::info);
}

std::unique_ptr<Service> Bootstrap::open() const {
    if (!config_)
        return Service::broken("configuration error: " + problem_, *log_);
    return Service::open(*config_, *log_);
}

std::unique_ptr<Service> Bootstrap::reload() const {
    try {
        return Service::open(load_config(path_), *log_);
    } catch (const ConfigError& e) {
        log_->error(std::string("reload refused, keeping the running configuration: ") + e.what());
        return nullptr;
    }
}

} // namespace vmaildir
