// Candidate entries of one key, and picking the live one (candidates.hpp).
#include "resolve/candidates.hpp"

#include "resolve/trace.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir {

namespace {

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

} // namespace

Result<Domain> live_domain(const std::vector<Entry>& entries, const EntryMapper& mapper,
                           const std::string& name, Trace* trace, bool hosted_suffices) {
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

Result<std::optional<Alias>> find_alias(const View& v, const EntryMapper& m,
                                        const std::string& local, const std::string& shown,
                                        const char* step, Trace* trace) {
    const std::string& d = v.keys.front().domain();
    return pick<Alias>(
        step, v.candidates.entries, m, true, local, d, shown,
        [&](const Entry& e) { return m.alias(e, d); }, trace);
}

Result<std::optional<Account>> find_account(const View& v, const EntryMapper& m,
                                            const std::string& local, const std::string& shown,
                                            const char* step, Trace* trace) {
    const std::string& d = v.keys.front().domain();
    return pick<Account>(
        step, v.candidates.entries, m, false, local, d, shown,
        [&](const Entry& e) { return m.account(e, d); }, trace);
}

} // namespace vmaildir
