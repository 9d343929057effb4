// Logins and password changes (SPEC §4, §5 self rule): the account a login names,
// its password checked by bind or compare, recently verified logins reused for
// auth_cache_ttl, and self-service password changes written as the account.
#pragma once

#include "auth/login_cache.hpp"
#include "resolve/resolver.hpp"
#include "vmaildir/admin/acl.hpp"
#include "vmaildir/config/config.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <variant>

namespace vmaildir {

/// Thread-safe.
class Authenticator {
public:
    Authenticator(Resolver& resolver, AuthSettings settings, AclPolicy acl,
                  const CacheSettings& cache, Logger& log);

    /// A login as an address: `default_domain` completes a bare name.
    std::string complete_login(std::string_view login) const;
    /// The live account a login names (never from a cache).
    Result<Account> account(std::string_view login, Trace* trace);
    /// found with the account; not_found for an unknown login, a wrong password, an account or
    /// domain that is not live, or a disabled service; temp_fail for directory trouble.
    Result<Account> authenticate(std::string_view login, std::string_view password,
                                 std::string_view service, Trace* trace);
    /// The old password must be right; the new one is stored hashed with the configured scheme,
    /// bound as the account itself.  not_found when the login or old password is wrong.
    Result<std::monostate> change_password(std::string_view login, std::string_view old_password,
                                           std::string_view new_password);

private:
    Result<Account> check_login(const std::string& name, std::string_view password,
                                std::string_view service, Trace* trace);
    std::string cache_key(const std::string& name) const;
    Deadline deadline() const { return Deadline::after(resolver_.settings().timeout); }

    Resolver& resolver_;
    Directory& directory_;
    AuthSettings settings_;
    AclPolicy acl_;
    Logger& log_;
    LoginCache logins_;
};

} // namespace vmaildir
