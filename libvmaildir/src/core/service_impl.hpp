// The parts of a Service, shared by the files that implement its methods.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "core/login_cache.hpp"
#include "core/mail_reader.hpp"
#include "core/resolver.hpp"
#include "vmaildir/service.hpp"

namespace vmaildir {

struct Service::Impl {
    Logger& log;
    Config config;
    std::string broken; ///< non-empty: every answer is a temporary failure with this reason
    std::unique_ptr<Directory> directory;
    std::optional<EntryMapper> mapper;
    std::optional<MailReader> reader;
    std::optional<Resolver> resolver;
    /// Final map answers by map and key as received: a hit costs one hash lookup, no parsing.
    std::optional<AnswerCache<std::vector<std::string>>> answers;
    /// Recently verified logins (auth_cache_ttl).
    std::optional<LoginCache> logins;

    explicit Impl(Logger& l) : log(l) {}
    Deadline deadline() const { return Deadline::after(config.timeout); }
};

/// The map dispatch behind Service::lookup (maps.cpp).
Result<std::vector<std::string>> lookup_map(Service::Impl& impl, MapName map,
                                            std::string_view key);
/// Password checks and changes (auth.cpp).
Result<Account> authenticate(Service::Impl& impl, std::string_view login,
                             std::string_view password, std::string_view service, Trace* trace);
Result<std::monostate> change_password(Service::Impl& impl, std::string_view login,
                                       std::string_view old_password,
                                       std::string_view new_password);
/// The consistency check (check.cpp).
Result<CheckReport> run_check(Service::Impl& impl);
/// Live accounts of live domains (check.cpp shares the snapshot walk).
Result<std::vector<Account>> live_accounts(Service::Impl& impl);

/// A login as an address: `default_domain` completes a bare name.
std::string complete_login(const Config& config, std::string_view login);

} // namespace vmaildir
