// The replica backend (backend.hpp, vmaildir/replica/settings.hpp).
#include "replica/backend.hpp"

#include "config/values.hpp"
#include "replica/replica_directory.hpp"
#include "vmaildir/replica/scope.hpp"
#include "vmaildir/replica/settings.hpp"

namespace vmaildir::replica {

namespace {

struct Settings final : BackendSettings {
    ReplicaSettings replica;
    std::string search_base;
    std::string password_attribute;
    bool passwords = false;
};

std::vector<KeyHelp> keys() {
    return {
        {"replica", "",
         "answer lookups from the local replica store in this directory, kept current by "
         "vmaildir-replica (one per host); empty: ask LDAP for every lookup. Password binds "
         "and changes still go to LDAP",
         false},
        {"replica_max_stale", "1h",
         "how long the replica keeps answering after it last heard from its provider; after "
         "that every answer is a temporary failure",
         false},
    };
}

std::shared_ptr<const BackendSettings> parse(const ConfigText& text, const Config& core) {
    const ConfigText::Setting* path = text.find("replica");
    auto s = std::make_shared<Settings>();
    if (const ConfigText::Setting* stale = text.find("replica_max_stale")) {
        try {
            auto d = to_duration(stale->value);
            if (d < std::chrono::seconds(1))
                throw BadValue{"must be at least 1s"};
            s->replica.max_stale = std::chrono::duration_cast<std::chrono::seconds>(d);
        } catch (const BadValue& bad) {
            text.fail("replica_max_stale", bad.problem, stale->line);
        }
    }
    if (!path || path->value.empty())
        return nullptr;
    if (core.search_base.empty())
        text.fail("replica", "a replica needs search_base (the subtree it copies)", path->line);
    s->replica.path = text.path(path->value);
    ReplicaScope scope = replica_scope(core);
    s->search_base = core.search_base;
    s->password_attribute = scope.password_attribute;
    s->passwords = scope.passwords;
    return s;
}

Result<std::unique_ptr<Directory>> open(const BackendSettings& settings,
                                        const BackendContext& context) {
    using Out = Result<std::unique_ptr<Directory>>;
    const auto& s = static_cast<const Settings&>(settings);
    auto live = context.open_backend("ldap");
    if (!live.is_found())
        return Out::failure_of(live);
    return Out::found(std::make_unique<ReplicaDirectory>(
        s.replica.path, ReaderPolicy{s.search_base, s.replica.max_stale, s.passwords},
        std::move(live).value(), s.password_attribute, s.passwords));
}

} // namespace

const Backend& replica_backend() {
    static const Backend backend{"replica", keys, parse, open};
    return backend;
}

const ReplicaSettings* replica_settings(const Config& config) {
    if (config.directory.backend != "replica")
        return nullptr;
    auto* s = dynamic_cast<const Settings*>(config.directory.find("replica"));
    return s ? &s->replica : nullptr;
}

} // namespace vmaildir::replica
