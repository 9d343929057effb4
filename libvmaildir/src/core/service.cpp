#include "core/service_impl.hpp"

#include "util/dn.hpp"
#include "util/text.hpp"
#include "vmaildir/ldif.hpp"
#include "vmaildir/memory_directory.hpp"

namespace vmaildir {

bool CheckReport::has_errors() const {
    for (const Finding& f : findings)
        if (f.severity == Finding::Severity::error)
            return true;
    return false;
}

std::string complete_login(const Config& config, std::string_view login) {
    std::string l(util::trim(login));
    if (l.find('@') == std::string::npos && !config.auth.default_domain.empty() && !l.empty())
        l += "@" + config.auth.default_domain;
    return l;
}

Service::Service(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Service::~Service() = default;

std::unique_ptr<Service> Service::broken(std::string reason, Logger& log) {
    auto impl = std::make_unique<Impl>(log);
    impl->broken = reason.empty() ? "service unavailable" : std::move(reason);
    return std::unique_ptr<Service>(new Service(std::move(impl)));
}

std::unique_ptr<Service> Service::open(const Config& config, Logger& log) {
    std::unique_ptr<Directory> directory;
    if (!config.ldif_file.empty()) {
        try {
            directory = std::make_unique<MemoryDirectory>(read_ldif_file(config.ldif_file),
                                                          "ldif:" + config.ldif_file);
        } catch (const LdifError& e) {
            log.error(std::string("configuration unusable: ") + e.what());
            return broken(e.what(), log);
        }
    } else {
        directory = make_ldap_directory(config.ldap, log);
    }
    return open(config, std::move(directory), log);
}

std::unique_ptr<Service> Service::open(const Config& config, std::unique_ptr<Directory> directory,
                                       Logger& log) {
    auto impl = std::make_unique<Impl>(log);
    impl->config = config;
    impl->directory = std::move(directory);
    ModelSettings model{config.search_base, config.size_limit, config.edit_accounts_default,
                        config.edit_postmasters_default, config.address};
    impl->mapper.emplace(config.schema, model);
    impl->reader.emplace(*impl->directory, *impl->mapper);
    ResolverSettings rs{config.timeout, config.recursion_limit, config.expansion_limit,
                        config.cache};
    impl->resolver.emplace(*impl->reader, rs, log);
    impl->answers.emplace(config.cache);
    impl->logins.emplace(config.auth.cache_ttl, config.cache);
    return std::unique_ptr<Service>(new Service(std::move(impl)));
}

std::unique_ptr<Service> Service::open_file(const std::string& path, Logger& log) {
    try {
        return open(load_config(path), log);
    } catch (const ConfigError& e) {
        log.error(std::string("configuration unusable, answering every lookup with a "
                              "temporary failure: ") +
                  e.what());
        return broken(std::string("configuration error: ") + e.what(), log);
    }
}

bool Service::is_broken() const noexcept { return !impl_->broken.empty(); }
const std::string& Service::broken_reason() const noexcept { return impl_->broken; }
const Config& Service::config() const noexcept { return impl_->config; }

void Service::idle() {
    if (!is_broken())
        impl_->directory->close_idle();
}

std::string Service::describe() const {
    if (is_broken())
        return "broken (" + impl_->broken + ")";
    return impl_->directory->describe() + " (" + impl_->config.schema.preset + " schema, base " +
           impl_->config.search_base + ")";
}

Result<std::vector<std::string>> Service::lookup(MapName map, std::string_view key) {
    if (is_broken())
        return Result<std::vector<std::string>>::temp_fail(impl_->broken);
    if (!impl_->answers->enabled())
        return lookup_map(*impl_, map, key);
    std::string cache_key = to_string(map);
    cache_key += '\0';
    cache_key += key;
    return impl_->answers->get(
        cache_key, [&] { return lookup_map(*impl_, map, key); },
        [&](const std::string& reason) {
            impl_->log.warning(std::string(to_string(map)) + " " + printable(key) +
                               ": directory failed (" + reason +
                               "); answering from expired cache entry");
        });
}

Result<Delivery> Service::resolve(std::string_view key, Trace* trace) {
    if (is_broken())
        return Result<Delivery>::temp_fail(impl_->broken);
    return impl_->resolver->resolve(key, trace);
}

Result<std::vector<std::string>> Service::expand(std::string_view key, Trace* trace) {
    if (is_broken())
        return Result<std::vector<std::string>>::temp_fail(impl_->broken);
    return impl_->resolver->expand(key, trace);
}

Result<Account> Service::account(std::string_view login, Trace* trace) {
    if (is_broken())
        return Result<Account>::temp_fail(impl_->broken);
    return impl_->resolver->login_account(complete_login(impl_->config, login), trace);
}

Result<Account> Service::authenticate(std::string_view login, std::string_view password,
                                      std::string_view service, Trace* trace) {
    if (is_broken())
        return Result<Account>::temp_fail(impl_->broken);
    return vmaildir::authenticate(*impl_, login, password, service, trace);
}

Result<std::vector<Account>> Service::accounts() {
    if (is_broken())
        return Result<std::vector<Account>>::temp_fail(impl_->broken);
    return live_accounts(*impl_);
}

Result<std::monostate> Service::change_password(std::string_view login,
                                                std::string_view old_password,
                                                std::string_view new_password) {
    if (is_broken())
        return Result<std::monostate>::temp_fail(impl_->broken);
    return vmaildir::change_password(*impl_, login, old_password, new_password);
}

Result<CheckReport> Service::check() {
    if (is_broken())
        return Result<CheckReport>::temp_fail(impl_->broken);
    return run_check(*impl_);
}

Result<Actor> Service::actor(const std::string& dn) {
    if (is_broken())
        return Result<Actor>::temp_fail(impl_->broken);
    Actor actor;
    actor.dn = dn;
    if (dn.empty())
        return Result<Actor>::found(std::move(actor)); // anonymous
    const Config& c = impl_->config;
    const Schema& s = c.schema;
    MailReader& reader = *impl_->reader;
    Deadline deadline = impl_->deadline();
    const std::string me = util::normalise_dn(dn);

    for (const std::string& admin : c.site_admins)
        actor.site_admin = actor.site_admin || util::normalise_dn(admin) == me;
    if (!actor.site_admin && !c.site_admin_group.empty()) {
        auto members = reader.group_members(c.site_admin_group, deadline);
        if (members.is_temp_fail())
            return Result<Actor>::failure_of(members);
        if (members.is_found())
            for (const std::string& m : members.value())
                actor.site_admin = actor.site_admin || util::normalise_dn(m) == me;
    }

    auto entry = reader.entry(dn, false, deadline);
    if (entry.is_temp_fail())
        return Result<Actor>::failure_of(entry);

    // Domains whose postmaster role lists this DN.
    std::vector<std::string> domain_dns;
    if (!s.postmaster_rdn.empty() && !s.postmaster_member_attribute.empty()) {
        SearchRequest request{c.search_base, Scope::subtree,
                              Filter::equals(s.postmaster_member_attribute, dn),
                              {"objectClass"}, 0, false};
        auto roles = impl_->directory->search(request, deadline);
        if (!roles.is_found())
            return Result<Actor>::failure_of(roles);
        for (const Entry& role : roles.value()) {
            // Only a role entry directly below a domain, named as the layout names it, counts.
            auto parent = util::parent_dn(role.dn());
            if (parent && util::normalise_dn(role.dn()) ==
                              util::normalise_dn(s.postmaster_rdn + "," + *parent))
                domain_dns.push_back(*parent);
        }
    }
    if (!s.postmaster_account_rdn.empty()) {
        auto parent = util::parent_dn(dn);
        if (parent && util::normalise_dn(s.postmaster_account_rdn + "," + *parent) == me)
            domain_dns.push_back(*parent);
    }
    for (const std::string& ddn : domain_dns) {
        auto d = reader.entry(ddn, false, deadline);
        if (d.is_temp_fail())
            return Result<Actor>::failure_of(d);
        if (d.is_found() && impl_->mapper->is_domain(d.value())) {
            auto domain = impl_->mapper->domain(d.value());
            if (domain.is_found())
                actor.administered_domains.push_back(domain.value().name);
        }
    }

    if (entry.is_found() && impl_->mapper->is_account(entry.value())) {
        auto parent = util::parent_dn(dn);
        if (parent) {
            auto d = reader.entry(*parent, false, deadline);
            if (d.is_found() && impl_->mapper->is_domain(d.value())) {
                auto domain = impl_->mapper->domain(d.value());
                if (domain.is_found()) {
                    auto account = impl_->mapper->account(entry.value(), domain.value().name);
                    if (account.is_found())
                        actor.address = account.value().address;
                }
            }
        }
    }
    return Result<Actor>::found(std::move(actor));
}

} // namespace vmaildir
