// What each map answers (vmaildir/resolve/maps.hpp), over the resolver, and the
// cache of final map answers.
#include "resolve/map_answers.hpp"

#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

using Values = Result<std::vector<std::string>>;

Values one(std::string value) {
    return Values::found({std::move(value)});
}

Values numeric_id(const Result<Account>& account, const std::optional<unsigned long>& fixed,
                  const std::optional<unsigned long> Account::*member, const char* what) {
    if (!account.is_found())
        return Values::failure_of(account);
    if (fixed)
        return one(std::to_string(*fixed));
    const auto& id = account.value().*member;
    if (!id)
        // Not a bounce: the entry or the configuration is incomplete.
        return Values::temp_fail("account " + account.value().address + " has no " + what +
                                 " number and static_" + what + " is not set");
    return one(std::to_string(*id));
}

} // namespace

MapAnswers::MapAnswers(Resolver& resolver, MapSettings settings, const CacheSettings& cache,
                       Logger& log)
    : resolver_(resolver), settings_(std::move(settings)), log_(log), answers_(cache) {}

Result<std::vector<std::string>> MapAnswers::lookup(MapName map, std::string_view key) {
    if (!answers_.enabled())
        return uncached(map, key);
    std::string cache_key = to_string(map);
    cache_key += '\0';
    cache_key += key;
    return answer_from(
        answers_, cache_key, [&] { return uncached(map, key); }, log_, to_string(map), key);
}

// The key itself is looked up freshly (use_cache = false): lookup() caches the final answers, so a
// cached map answer is never older than cache_ttl plus the age of the cached parts it was built
// from (members of an alias, owners of an address).
Result<std::vector<std::string>> MapAnswers::uncached(MapName map, std::string_view key) {
    Resolver& r = resolver_;
    switch (map) {
    case MapName::domain: {
        // Hosted, even while inactive: its recipients are then refused one by one as unknown
        // (550 5.1.1), rather than the whole domain looking foreign (relay denied).
        auto d = r.domain(key, nullptr, true, false);
        return d.is_found() ? one(d.value().name) : Values::failure_of(d);
    }
    case MapName::mailbox: {
        auto a = r.account(key, nullptr, false);
        if (!a.is_found())
            return Values::failure_of(a);
        if (a.value().mailbox.empty())
            return Values::temp_fail("account " + a.value().address + " has no mailbox");
        return one(a.value().mailbox);
    }
    case MapName::alias: {
        auto d = r.resolve(key, nullptr, false);
        if (!d.is_found())
            return Values::failure_of(d);
        if (d.value().route == Route::account) {
            // The key itself, as received, tag kept: Postfix stops recursing on a self-mapping
            // and the catch-all never gets to swallow a real mailbox (SPEC §3, issue #3).
            auto parsed = parse_address(key, resolver_.mapper().settings().address);
            return one(std::get<Address>(parsed).original());
        }
        // The MTA expands the answer level by level itself, but a loop or an expansion over
        // the limits must defer (SPEC §3), never end in a bounce: check the whole expansion
        // (cached) before answering one level of it.
        auto finals = r.expand(key, nullptr, false);
        if (finals.is_temp_fail())
            return Values::failure_of(finals);
        return Values::found(d.value().destinations);
    }
    case MapName::recipient:
        return r.expand(key, nullptr, false);
    case MapName::transport: {
        std::string_view k = util::trim(key);
        if (k == "*")
            return Values::not_found("the '*' wildcard probe is never answered");
        if (auto at = k.rfind('@'); at != std::string_view::npos) {
            auto parsed = parse_address(k, resolver_.mapper().settings().address);
            if (auto* problem = std::get_if<std::string>(&parsed))
                return Values::not_found(*problem);
            k = k.substr(at + 1);
        }
        auto d = r.domain(k, nullptr, false, false);
        if (!d.is_found())
            return Values::failure_of(d);
        return one(d.value().transport.empty() ? settings_.default_transport : d.value().transport);
    }
    case MapName::uid:
        return numeric_id(r.account(key, nullptr, false), settings_.static_uid, &Account::uid,
                          "uid");
    case MapName::gid:
        return numeric_id(r.account(key, nullptr, false), settings_.static_gid, &Account::gid,
                          "gid");
    case MapName::quota: {
        auto a = r.account(key, nullptr, false);
        if (!a.is_found())
            return Values::failure_of(a);
        if (a.value().quota.empty())
            return Values::not_found("account " + a.value().address + " has no quota");
        return one(a.value().quota);
    }
    case MapName::sender:
        return r.senders(key, nullptr, false);
    }
    return Values::temp_fail("unknown map");
}

} // namespace vmaildir
