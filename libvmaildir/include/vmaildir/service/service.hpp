// The facade every adapter uses: one configuration in, the SPEC's semantics out.
//
// A Service owns the directory (whichever backend the configuration chose), the
// answer caches, the resolver and the authenticator.  Adapters translate its
// three outcomes into their host's replies and contain no resolution logic of
// their own.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vmaildir/admin/acl.hpp"
#include "vmaildir/check/report.hpp"
#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/directory.hpp"
#include "vmaildir/directory/result.hpp"
#include "vmaildir/model/entities.hpp"
#include "vmaildir/resolve/maps.hpp"
#include "vmaildir/resolve/resolution.hpp"
#include "vmaildir/util/log.hpp"

namespace vmaildir {

/// Thread-safe: every method may run on many threads at once.
class Service {
public:
    ~Service();
    Service(const Service&) = delete;
    Service& operator=(const Service&) = delete;

    /// Builds a service from a validated configuration, over the backend it chose.  Connects
    /// lazily, so this never fails for directory trouble; a backend that cannot open (an
    /// unreadable LDIF file) yields a broken() service.  `log` must outlive the service.
    static std::unique_ptr<Service> open(const Config& config, Logger& log);
    /// The same over a directory the caller provides (tests script failures with it).
    static std::unique_ptr<Service> open(const Config& config, std::unique_ptr<Directory> directory,
                                         Logger& log);
    /// A service that answers every question with a temporary failure naming `reason`, so a
    /// daemon with a broken configuration stays up and defers mail instead of bouncing it.
    static std::unique_ptr<Service> broken(std::string reason, Logger& log);

    /// Whether this is a broken() service, and why.
    bool is_broken() const noexcept;
    const std::string& broken_reason() const noexcept;
    /// The configuration (default-constructed for a broken service).  It holds no secrets:
    /// the backends keep theirs (vmaildir/directory/backend.hpp).
    const Config& config() const noexcept;

    /// One map lookup (maps.hpp): values in order, never empty when found.
    Result<std::vector<std::string>> lookup(MapName map, std::string_view key);
    /// SPEC §3 for a recipient.  With a trace: uncached, every step recorded.
    Result<Delivery> resolve(std::string_view key, Trace* trace = nullptr);
    /// Final recipients after recursive alias expansion.
    Result<std::vector<std::string>> expand(std::string_view key, Trace* trace = nullptr);

    /// The live account a login names (`default_domain` completes a bare name).
    Result<Account> account(std::string_view login, Trace* trace = nullptr);
    /// Checks a login and password for `service` ("imap", "pop3", "smtp", ...): found with the
    /// account; not_found for an unknown login, a wrong password, an account or domain that is
    /// not live, or a disabled service; temp_fail for directory trouble (never "wrong password").
    Result<Account> authenticate(std::string_view login, std::string_view password,
                                 std::string_view service, Trace* trace = nullptr);
    /// Every live account of every live domain (Courier enumerate).
    Result<std::vector<Account>> accounts();
    /// Changes a password as the account itself (SPEC §5 self rule): the old password must be
    /// right; the new one is stored hashed with the configured scheme.  not_found when the
    /// login or old password is wrong.
    Result<std::monostate> change_password(std::string_view login, std::string_view old_password,
                                           std::string_view new_password);

    /// The roles of a directory identity: site admin (configured DNs or group) and the domains
    /// whose postmaster role it occupies.
    Result<Actor> actor(const std::string& dn);

    /// A session bound as `who`, for administration (vmaildir/admin/admin.hpp): it searches
    /// and changes with that identity's rights.  Replicas hand it to their provider.
    Result<std::unique_ptr<DirectorySession>> open_session(const Identity& who);

    /// Directory consistency: domains lacking postmaster@/abuse@, alias loops, duplicate
    /// addresses, catch-alls, malformed entries.  temp_fail when the directory cannot be read.
    Result<CheckReport> check();

    /// Closes idle directory connections (hosts call it when they have been idle a while).
    void idle();

    /// A short description of the directory ("ldap://127.0.0.1:3389/ (jamm)").
    std::string describe() const;

private:
    struct Parts;
    explicit Service(std::unique_ptr<Parts> parts);
    std::unique_ptr<Parts> parts_;
};

} // namespace vmaildir
