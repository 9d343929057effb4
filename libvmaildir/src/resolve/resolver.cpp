// The SPEC §3 resolution order, and the domain and account lookups
// (resolver.hpp).  Expansion and sender ownership are in expansion.cpp and
// senders.cpp.
#include "resolve/resolver.hpp"

#include "resolve/candidates.hpp"

namespace vmaildir {

const char* to_string(Route route) noexcept {
    switch (route) {
    case Route::alias:
        return "alias";
    case Route::account:
        return "account";
    case Route::catch_all:
        return "catch-all";
    }
    return "account";
}

Resolver::Resolver(MailReader& reader, ResolverSettings settings, Logger& log)
    : reader_(reader), settings_(settings), log_(log), deliveries_(settings.cache),
      domains_(settings.cache), accounts_(settings.cache), senders_(settings.cache) {}

Result<Delivery> Resolver::resolve(std::string_view key, Trace* trace, bool use_cache) {
    return with_address<Delivery>(key, trace, "key", [&](const Address& address) {
        return resolve_at(address, Deadline::after(settings_.timeout), trace, use_cache);
    });
}

Result<Delivery> Resolver::resolve_at(const Address& address, Deadline deadline, Trace* trace,
                                      bool use_cache) {
    return cached(deliveries_, address.key(), "recipient", address.key(), trace, use_cache,
                  [&](Trace* t) { return resolve_uncached(address, deadline, t); });
}

Result<Delivery> Resolver::resolve_uncached(const Address& address, Deadline deadline,
                                            Trace* trace) {
    note(trace,
         "key " + util::printable(address.original()) + " → " + util::printable(address.key()));
    auto v = fetch_view(reader_, address, true, true, deadline, trace);
    if (!v.is_found())
        return Result<Delivery>::failure_of(v);
    const View& view = v.value();
    const EntryMapper& m = mapper();

    // 2-4. An explicit alias, then an account, for the key and then for the key without its
    // sub-address.
    for (const Address& k : view.keys) {
        bool sub = &k != &view.keys.front();
        if (sub)
            note(trace, "[4] sub-address " + address.subaddress() + " removed: " + k.text());
        auto alias = find_alias(view, m, k.folded_local(), k.text(), sub ? "[4] " : "[2] ", trace);
        if (!alias.is_found())
            return Result<Delivery>::failure_of(alias);
        if (alias.value())
            return Result<Delivery>::found({Route::alias, address.original(),
                                            alias.value()->address, sub,
                                            alias.value()->destinations, std::nullopt});
        auto account =
            find_account(view, m, k.folded_local(), k.text(), sub ? "[4] " : "[3] ", trace);
        if (!account.is_found())
            return Result<Delivery>::failure_of(account);
        if (account.value())
            return Result<Delivery>::found({Route::account,
                                            address.original(),
                                            account.value()->address,
                                            sub,
                                            {account.value()->address},
                                            account.value()});
    }
    // 5. The domain's catch-all.
    const std::string& d = address.domain();
    auto catch_all = find_alias(view, m, "", "@" + d, "[5] ", trace);
    if (!catch_all.is_found())
        return Result<Delivery>::failure_of(catch_all);
    if (catch_all.value())
        return Result<Delivery>::found({Route::catch_all, address.original(), "@" + d, false,
                                        catch_all.value()->destinations, std::nullopt});
    // 6. Nothing: a completed search that found no live entry.
    return Result<Delivery>::not_found("no live alias, account or catch-all for " + address.text());
}

Result<Domain> Resolver::domain(std::string_view name, Trace* trace, bool hosted_suffices,
                                bool use_cache) {
    auto d = normalise_domain(name);
    if (!d) {
        note(trace, "key '" + util::printable(name) + "': not a domain name");
        return Result<Domain>::not_found("not a domain name");
    }
    Deadline deadline = Deadline::after(settings_.timeout);
    return cached(domains_, (hosted_suffices ? "hosted:" : "live:") + *d, "domain", *d, trace,
                  use_cache,
                  [&](Trace* t) { return domain_uncached(*d, hosted_suffices, deadline, t); });
}

Result<Domain> Resolver::domain_uncached(const std::string& name, bool hosted_suffices,
                                         Deadline deadline, Trace* trace) {
    auto entries = reader_.domain_entries(name, deadline);
    if (!entries.is_found()) {
        note(trace, "directory: " + entries.reason());
        return Result<Domain>::failure_of(entries);
    }
    return live_domain(entries.value(), mapper(), name, trace, hosted_suffices);
}

Result<Account> Resolver::account(std::string_view key, Trace* trace, bool use_cache) {
    return with_address<Account>(key, trace, "key", [&](const Address& address) {
        return account_at(address, Deadline::after(settings_.timeout), trace, use_cache);
    });
}

Result<Account> Resolver::account_at(const Address& address, Deadline deadline, Trace* trace,
                                     bool use_cache) {
    return cached(accounts_, address.key(), "account", address.key(), trace, use_cache,
                  [&](Trace* t) { return account_uncached(address, false, deadline, t); });
}

Result<Account> Resolver::login_account(std::string_view key, Trace* trace) {
    return with_address<Account>(key, trace, "login", [&](const Address& address) {
        return account_uncached(address, true, Deadline::after(settings_.timeout), trace);
    });
}

Result<Account> Resolver::account_uncached(const Address& address, bool exact, Deadline deadline,
                                           Trace* trace) {
    auto v = fetch_view(reader_, address, !exact, false, deadline, trace);
    if (!v.is_found())
        return Result<Account>::failure_of(v);
    for (const Address& k : v.value().keys) {
        auto account = find_account(v.value(), mapper(), k.folded_local(), k.text(), "", trace);
        if (!account.is_found())
            return Result<Account>::failure_of(account);
        if (account.value())
            return Result<Account>::found(std::move(*account.value()));
    }
    return Result<Account>::not_found("no live account " + address.text());
}

} // namespace vmaildir
