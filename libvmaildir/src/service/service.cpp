// The Service facade (vmaildir/service/service.hpp): the composition of one
// configuration's parts — the directory, its lookups (resolve/lookups.hpp) and
// the authenticator — and the broken service that defers everything.
#include "vmaildir/service/service.hpp"

#include "admin/actor.hpp"
#include "auth/authenticator.hpp"
#include "check/check.hpp"
#include "check/snapshot.hpp"
#include "resolve/answer_cache.hpp"
#include "resolve/lookups.hpp"
#include "service/backends.hpp"
#include "vmaildir/auth/password.hpp"

#include <optional>

namespace vmaildir {

struct Service::Parts {
    Logger& log;
    Config config;
    std::string broken; ///< non-empty: every answer is a temporary failure with this reason
    std::unique_ptr<Directory> directory;
    std::optional<Lookups> lookups;
    std::optional<Authenticator> auth;

    explicit Parts(Logger& l) : log(l) {}
};

namespace {

/// The answer of a broken service, else `answer()` under the directory's current generation
/// (answer_cache.hpp), or the directory's reason when it cannot answer at all.
template <class T, class Answer>
Result<T> unless_broken(const std::string& broken, Directory* directory, Answer&& answer) {
    if (!broken.empty())
        return Result<T>::temp_fail(broken);
    auto generation = directory->generation();
    if (generation.is_temp_fail())
        return Result<T>::temp_fail(generation.reason());
    answer_generation = generation.is_found() ? generation.value() : 0;
    return answer();
}

} // namespace

Service::Service(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Service::~Service() = default;

std::unique_ptr<Service> Service::broken(std::string reason, Logger& log) {
    auto parts = std::make_unique<Parts>(log);
    parts->broken = reason.empty() ? "service unavailable" : std::move(reason);
    return std::unique_ptr<Service>(new Service(std::move(parts)));
}

std::unique_ptr<Service> Service::open(const Config& config, Logger& log) {
    auto directory = open_directory(config, BackendContext{log, password_matches});
    if (!directory.is_found()) {
        log.error("configuration unusable: " + directory.reason());
        return broken(directory.reason(), log);
    }
    return open(config, std::move(directory).value(), log);
}

std::unique_ptr<Service> Service::open(const Config& config, std::unique_ptr<Directory> directory,
                                       Logger& log) {
    auto p = std::make_unique<Parts>(log);
    p->config = config;
    p->directory = std::move(directory);
    p->lookups.emplace(config, *p->directory, log);
    p->auth.emplace(p->lookups->resolver, config.auth, config.acl, config.cache, log);
    return std::unique_ptr<Service>(new Service(std::move(p)));
}

bool Service::is_broken() const noexcept {
    return !parts_->broken.empty();
}
const std::string& Service::broken_reason() const noexcept {
    return parts_->broken;
}
const Config& Service::config() const noexcept {
    return parts_->config;
}

void Service::idle() {
    if (!is_broken())
        parts_->directory->close_idle();
}

std::string Service::describe() const {
    if (is_broken())
        return "broken (" + parts_->broken + ")";
    return parts_->directory->describe() + " (" + parts_->config.schema.preset + " schema, base " +
           parts_->config.search_base + ")";
}

Result<std::vector<std::string>> Service::lookup(MapName map, std::string_view key) {
    return unless_broken<std::vector<std::string>>(
        parts_->broken, parts_->directory.get(), [&] { return parts_->lookups->maps.lookup(map, key); });
}

Result<Delivery> Service::resolve(std::string_view key, Trace* trace) {
    return unless_broken<Delivery>(parts_->broken, parts_->directory.get(),
                                   [&] { return parts_->lookups->resolver.resolve(key, trace); });
}

Result<std::vector<std::string>> Service::expand(std::string_view key, Trace* trace) {
    return unless_broken<std::vector<std::string>>(
        parts_->broken, parts_->directory.get(), [&] { return parts_->lookups->resolver.expand(key, trace); });
}

Result<Account> Service::account(std::string_view login, Trace* trace) {
    return unless_broken<Account>(parts_->broken, parts_->directory.get(),
                                  [&] { return parts_->auth->account(login, trace); });
}

Result<Account> Service::authenticate(std::string_view login, std::string_view password,
                                      std::string_view service, Trace* trace) {
    return unless_broken<Account>(parts_->broken, parts_->directory.get(), [&] {
        return parts_->auth->authenticate(login, password, service, trace);
    });
}

Result<std::vector<Account>> Service::accounts() {
    return unless_broken<std::vector<Account>>(parts_->broken, parts_->directory.get(), [&] {
        return live_accounts(parts_->lookups->reader, parts_->config.timeout, parts_->log);
    });
}

Result<std::monostate> Service::change_password(std::string_view login,
                                                std::string_view old_password,
                                                std::string_view new_password) {
    return unless_broken<std::monostate>(parts_->broken, parts_->directory.get(), [&] {
        return parts_->auth->change_password(login, old_password, new_password);
    });
}

Result<CheckReport> Service::check() {
    return unless_broken<CheckReport>(parts_->broken, parts_->directory.get(), [&] {
        return check_directory(parts_->lookups->reader, parts_->lookups->resolver.settings(),
                               parts_->log);
    });
}

Result<Actor> Service::actor(const std::string& dn) {
    return unless_broken<Actor>(parts_->broken, parts_->directory.get(), [&] {
        const Config& c = parts_->config;
        return find_actor(parts_->lookups->reader, SiteAdmins{c.site_admins, c.site_admin_group},
                          dn, Deadline::after(c.timeout));
    });
}

Result<std::unique_ptr<DirectorySession>> Service::open_session(const Identity& who) {
    using R = Result<std::unique_ptr<DirectorySession>>;
    if (!parts_->broken.empty())
        return R::temp_fail(parts_->broken);
    return parts_->directory->open_session(who, Deadline::after(parts_->config.timeout));
}

} // namespace vmaildir
