#include "core/resolver.hpp"

#include "util/text.hpp"

#include <algorithm>
#include <functional>
#include <set>

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

namespace {

void note(Trace* trace, std::string line) {
    if (trace)
        trace->push_back(std::move(line));
}

std::string why_not_live(const Flags& f) {
    if (f.deleted)
        return "deleted";
    return f.active ? "live" : "inactive";
}

bool contains(const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
}

/// Among candidate entries, the one live alias (or account) answering to `local`:
/// found(nothing) when there is none, temp_fail when an entry is malformed or several are live.
template <class T, class Map>
Result<std::optional<T>> pick(const char* step, const std::vector<Entry>& entries,
                              const EntryMapper& mapper, bool as_alias, const std::string& local,
                              const std::string& domain, const std::string& shown, Map map,
                              Trace* trace) {
    const std::string what =
        std::string(step) + (as_alias ? (local.empty() ? "catch-all" : "alias") : "account");
    std::vector<T> live;
    bool ignored = false;
    for (const Entry& e : entries) {
        if (as_alias ? !mapper.is_alias(e) : !mapper.is_account(e))
            continue;
        if (!contains(mapper.local_parts(e, as_alias, domain), local))
            continue;
        Result<T> r = map(e);
        if (!r.is_found()) {
            note(trace, what + " " + shown + ": " + r.reason());
            return Result<std::optional<T>>::failure_of(r);
        }
        if (!r.value().flags.live()) {
            note(trace, what + " " + shown + ": " + why_not_live(r.value().flags) + ", ignored (" +
                            e.dn() + ")");
            ignored = true;
            continue;
        }
        live.push_back(std::move(r).value());
    }
    if (live.size() > 1) {
        std::string dns;
        for (const T& t : live)
            dns += (dns.empty() ? "" : "; ") + t.dn;
        std::string reason = std::to_string(live.size()) + " live " +
                             (as_alias ? "alias" : "account") + " entries for " + shown +
                             " where one is expected: " + dns;
        note(trace, what + " " + shown + ": " + reason);
        return Result<std::optional<T>>::temp_fail(reason);
    }
    if (live.empty()) {
        note(trace, what + " " + shown + (ignored ? ": no live entry" : ": none"));
        return Result<std::optional<T>>::found(std::nullopt);
    }
    note(trace, what + " " + shown + ": live (" + live.front().dn + ")");
    return Result<std::optional<T>>::found(std::move(live.front()));
}

/// The one domain among the entries naming it: live, or with `hosted_suffices` also inactive
/// (but never deleted).
Result<Domain> live_domain(const std::vector<Entry>& entries, const EntryMapper& mapper,
                           const std::string& name, Trace* trace, bool hosted_suffices = false) {
    if (entries.empty()) {
        note(trace, "[1] domain " + name + ": not hosted here");
        return Result<Domain>::not_found("domain " + name + " is not hosted here");
    }
    if (entries.size() > 1) {
        std::string reason = std::to_string(entries.size()) + " entries for domain " + name +
                             " where one is expected";
        note(trace, "[1] domain " + name + ": " + reason);
        return Result<Domain>::temp_fail(reason);
    }
    auto d = mapper.domain(entries.front());
    if (!d.is_found()) {
        note(trace, "[1] domain " + name + ": " + d.reason());
        return d;
    }
    const Flags& f = d.value().flags;
    if (!f.live() && (f.deleted || !hosted_suffices)) {
        std::string state = why_not_live(f);
        note(trace, "[1] domain " + name + ": " + state + " (" + d.value().dn + ")");
        return Result<Domain>::not_found("domain " + name + " is " + state);
    }
    note(trace, "[1] domain " + name + ": " + why_not_live(f) + " (" + d.value().dn + ")");
    return d;
}

/// What resolving one address needs: its candidate entries below a live domain, and the keys
/// to try (the address, then the address without its sub-address when it has one).
struct View {
    Candidates candidates;
    std::vector<Address> keys;
};

/// Fetches the candidates and settles SPEC §3 step 1 (the domain is live and hosted).
Result<View> fetch_view(MailReader& reader, const Address& address, bool with_subaddress,
                        bool with_catch_all, Deadline deadline, Trace* trace) {
    View view;
    view.keys.push_back(address);
    if (with_subaddress)
        if (auto stripped = address.without_subaddress())
            view.keys.push_back(std::move(*stripped));
    std::vector<std::string> locals;
    for (const Address& k : view.keys)
        locals.push_back(k.folded_local());
    if (with_catch_all)
        locals.emplace_back();
    auto c = reader.candidates(address.domain(), locals, deadline);
    if (!c.is_found()) {
        note(trace, "directory: " + c.reason());
        return Result<View>::failure_of(c);
    }
    auto domain = live_domain(c.value().domains, reader.mapper(), address.domain(), trace);
    if (!domain.is_found())
        return Result<View>::failure_of(domain);
    view.candidates = std::move(c).value();
    return Result<View>::found(std::move(view));
}

/// The one live alias answering to `local` (the empty string: the catch-all).
Result<std::optional<Alias>> find_alias(const View& v, const EntryMapper& m,
                                        const std::string& local, const std::string& shown,
                                        const char* step, Trace* trace) {
    const std::string& d = v.keys.front().domain();
    return pick<Alias>(
        step, v.candidates.entries, m, true, local, d, shown,
        [&](const Entry& e) { return m.alias(e, d); }, trace);
}

/// The one live account answering to `local`.
Result<std::optional<Account>> find_account(const View& v, const EntryMapper& m,
                                            const std::string& local, const std::string& shown,
                                            const char* step, Trace* trace) {
    const std::string& d = v.keys.front().domain();
    return pick<Account>(
        step, v.candidates.entries, m, false, local, d, shown,
        [&](const Entry& e) { return m.account(e, d); }, trace);
}

} // namespace

Resolver::Resolver(MailReader& reader, ResolverSettings settings, Logger& log)
    : reader_(reader), settings_(settings), log_(log), deliveries_(settings.cache),
      domains_(settings.cache), accounts_(settings.cache), senders_(settings.cache) {}

void Resolver::log_stale(std::string_view what, std::string_view key, const std::string& reason) {
    log_.warning(std::string(what) + " " + util::printable(key) + ": directory failed (" + reason +
                 "); answering from expired cache entry");
}

Result<Delivery> Resolver::resolve(std::string_view key, Trace* trace, bool use_cache) {
    auto parsed = parse_address(key, mapper().settings().address);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        note(trace, "key '" + util::printable(key) + "': " + *problem);
        return Result<Delivery>::not_found(*problem);
    }
    const Address& address = std::get<Address>(parsed);
    return resolve_at(address, Deadline::after(settings_.timeout), trace, use_cache);
}

Result<Delivery> Resolver::resolve_at(const Address& address, Deadline deadline, Trace* trace,
                                      bool use_cache) {
    if (trace || !use_cache)
        return resolve_uncached(address, deadline, trace);
    return deliveries_.get(
        address.key(), [&] { return resolve_uncached(address, deadline, nullptr); },
        [&](const std::string& reason) { log_stale("recipient", address.key(), reason); });
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

Result<std::vector<std::string>> Resolver::expand(std::string_view key, Trace* trace,
                                                  bool use_cache) {
    using Out = Result<std::vector<std::string>>;
    auto parsed = parse_address(key, mapper().settings().address);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        note(trace, "key '" + util::printable(key) + "': " + *problem);
        return Out::not_found(*problem);
    }
    const Deadline deadline = Deadline::after(settings_.timeout);
    std::vector<std::string> finals;
    std::set<std::string> final_keys;
    bool loop = false;
    std::string failure;
    Outcome failed = Outcome::found;

    auto add_final = [&](const std::string& address, const std::string& folded) {
        if (final_keys.insert(folded).second)
            finals.push_back(address);
    };
    // Depth-first over alias destinations; `chain` holds the folded keys being expanded.
    std::function<void(const Address&, unsigned, std::vector<std::string>&)> walk =
        [&](const Address& a, unsigned depth, std::vector<std::string>& chain) {
            if (failed != Outcome::found)
                return;
            if (depth > settings_.recursion_limit) {
                failed = Outcome::temp_fail;
                failure = "aliases nested deeper than recursion_limit " +
                          std::to_string(settings_.recursion_limit) + " at " + a.text();
                return;
            }
            auto r = resolve_at(a, deadline, trace, use_cache || depth > 0);
            if (r.is_temp_fail() || (r.is_not_found() && depth == 0)) {
                failed = r.outcome();
                failure = r.reason();
                return;
            }
            if (r.is_not_found() || r.value().route == Route::account) {
                // Not ours (or not a mailbox here): the MTA decides what to do with it.
                add_final(a.original(), a.key());
                return;
            }
            for (const std::string& dest : r.value().destinations) {
                auto next = parse_address(dest, mapper().settings().address);
                const Address* n = std::get_if<Address>(&next);
                if (!n) {
                    add_final(dest, util::ascii_lower(dest)); // a local user name
                } else if (n->key() == a.key()) {
                    add_final(a.original(), a.key()); // forward and keep a copy
                } else if (contains(chain, n->key())) {
                    loop = true;
                    note(trace, "loop: " + n->text() + " is already being expanded");
                } else {
                    chain.push_back(n->key());
                    walk(*n, depth + 1, chain);
                    chain.pop_back();
                }
                if (finals.size() > settings_.expansion_limit) {
                    failed = Outcome::temp_fail;
                    failure = "expansion of " + std::string(key) + " exceeds expansion_limit " +
                              std::to_string(settings_.expansion_limit);
                }
                if (failed != Outcome::found)
                    return;
            }
        };
    const Address& start = std::get<Address>(parsed);
    std::vector<std::string> chain{start.key()};
    walk(start, 0, chain);
    if (failed == Outcome::not_found)
        return Out::not_found(failure);
    if (failed == Outcome::temp_fail) {
        note(trace, "expansion failed: " + failure);
        return Out::temp_fail(failure);
    }
    if (finals.empty()) {
        // Only a loop can leave nothing to deliver to: a directory mistake, not a bounce.
        std::string reason = "alias loop: " + start.text() + " expands to nothing but itself";
        note(trace, reason);
        return Out::temp_fail(loop ? reason : "expansion of " + start.text() + " is empty");
    }
    return Out::found(std::move(finals));
}

Result<Domain> Resolver::domain(std::string_view name, Trace* trace, bool hosted_suffices,
                                bool use_cache) {
    auto d = normalise_domain(name);
    if (!d) {
        note(trace, "key '" + util::printable(name) + "': not a domain name");
        return Result<Domain>::not_found("not a domain name");
    }
    Deadline deadline = Deadline::after(settings_.timeout);
    if (trace || !use_cache)
        return domain_uncached(*d, hosted_suffices, deadline, trace);
    return domains_.get(
        (hosted_suffices ? "hosted:" : "live:") + *d,
        [&] { return domain_uncached(*d, hosted_suffices, deadline, nullptr); },
        [&](const std::string& reason) { log_stale("domain", *d, reason); });
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
    auto parsed = parse_address(key, mapper().settings().address);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        note(trace, "key '" + util::printable(key) + "': " + *problem);
        return Result<Account>::not_found(*problem);
    }
    return account_at(std::get<Address>(parsed), Deadline::after(settings_.timeout), trace,
                      use_cache);
}

Result<Account> Resolver::account_at(const Address& address, Deadline deadline, Trace* trace,
                                     bool use_cache) {
    if (trace || !use_cache)
        return account_uncached(address, false, deadline, trace);
    return accounts_.get(
        address.key(), [&] { return account_uncached(address, false, deadline, nullptr); },
        [&](const std::string& reason) { log_stale("account", address.key(), reason); });
}

Result<Account> Resolver::login_account(std::string_view key, Trace* trace) {
    auto parsed = parse_address(key, mapper().settings().address);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        note(trace, "login '" + util::printable(key) + "': " + *problem);
        return Result<Account>::not_found(*problem);
    }
    return account_uncached(std::get<Address>(parsed), true, Deadline::after(settings_.timeout),
                            trace);
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

Result<std::vector<std::string>> Resolver::senders(std::string_view key, Trace* trace,
                                                   bool use_cache) {
    using Out = Result<std::vector<std::string>>;
    auto parsed = parse_address(key, mapper().settings().address);
    if (auto* problem = std::get_if<std::string>(&parsed)) {
        note(trace, "key '" + util::printable(key) + "': " + *problem);
        return Out::not_found(*problem);
    }
    const Address& address = std::get<Address>(parsed);
    Deadline deadline = Deadline::after(settings_.timeout);
    if (trace || !use_cache)
        return senders_uncached(address, deadline, trace);
    return senders_.get(
        address.key(), [&] { return senders_uncached(address, deadline, nullptr); },
        [&](const std::string& reason) { log_stale("sender", address.key(), reason); });
}

Result<std::vector<std::string>> Resolver::senders_uncached(const Address& address,
                                                            Deadline deadline, Trace* trace) {
    using Out = Result<std::vector<std::string>>;
    const EntryMapper& m = mapper();
    auto v = fetch_view(reader_, address, true, false, deadline, trace);
    if (!v.is_found())
        return Out::failure_of(v);
    for (const Address& k : v.value().keys) {
        std::vector<std::string> owners;
        std::set<std::string> seen;
        auto own = [&](const std::string& login) {
            if (seen.insert(util::ascii_lower(login)).second)
                owners.push_back(login);
        };
        auto account = find_account(v.value(), m, k.folded_local(), k.text(), "", trace);
        if (!account.is_found())
            return Out::failure_of(account);
        if (account.value())
            own(account.value()->address);
        auto alias = find_alias(v.value(), m, k.folded_local(), k.text(), "", trace);
        if (!alias.is_found())
            return Out::failure_of(alias);
        if (alias.value()) {
            for (const std::string& dest : alias.value()->destinations) {
                auto next = parse_address(dest, m.settings().address);
                const Address* n = std::get_if<Address>(&next);
                if (!n)
                    continue; // a local user is not a login of this directory
                auto owner = account_at(*n, deadline, trace);
                if (owner.is_temp_fail())
                    return Out::failure_of(owner);
                if (owner.is_found())
                    own(owner.value().address);
            }
        }
        if (!owners.empty()) {
            std::string list;
            for (const std::string& o : owners)
                list += (list.empty() ? "" : ", ") + o;
            note(trace, "may send as " + k.text() + ": " + list);
            return Out::found(std::move(owners));
        }
    }
    return Out::not_found("no live account owns " + address.text());
}

} // namespace vmaildir
