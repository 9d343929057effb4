// The whole tree at once (snapshot.hpp).
#include "check/snapshot.hpp"

#include "vmaildir/util/dn.hpp"

#include <algorithm>

namespace vmaildir {

const Domain* domain_of(const Snapshot& s, const std::string& dn) {
    std::optional<std::string> up = util::parent_dn(dn);
    while (up) {
        auto it = s.domains.find(util::normalise_dn(*up));
        if (it != s.domains.end())
            return &it->second;
        up = util::parent_dn(*up);
    }
    return nullptr;
}

Result<Snapshot> read_snapshot(MailReader& reader, std::chrono::milliseconds lookup_timeout,
                               std::vector<Finding>* findings) {
    // Bulk reads of the whole tree get more time than one lookup.
    auto all = reader.everything(
        Deadline::after(std::max(lookup_timeout * 6, std::chrono::milliseconds(60000))));
    if (!all.is_found())
        return Result<Snapshot>::failure_of(all);
    Snapshot s;
    s.entries = std::move(all).value();
    for (const Entry& e : s.entries) {
        if (!reader.mapper().is_domain(e))
            continue;
        auto d = reader.mapper().domain(e);
        if (!d.is_found()) {
            if (findings)
                findings->push_back({Finding::Severity::error, d.reason()});
            continue;
        }
        s.domains.emplace(util::normalise_dn(e.dn()), std::move(d).value());
    }
    return Result<Snapshot>::found(std::move(s));
}

Result<std::vector<Account>> live_accounts(MailReader& reader,
                                           std::chrono::milliseconds lookup_timeout, Logger& log) {
    auto snap = read_snapshot(reader, lookup_timeout, nullptr);
    if (!snap.is_found())
        return Result<std::vector<Account>>::failure_of(snap);
    std::vector<Account> out;
    for (const Entry& e : snap.value().entries) {
        if (!reader.mapper().is_account(e))
            continue;
        const Domain* d = domain_of(snap.value(), e.dn());
        if (!d || !d->flags.live())
            continue;
        auto a = reader.mapper().account(e, d->name);
        if (!a.is_found()) {
            log.warning("enumerate: skipping " + a.reason());
            continue;
        }
        if (a.value().flags.live())
            out.push_back(std::move(a).value());
    }
    return Result<std::vector<Account>>::found(std::move(out));
}

} // namespace vmaildir
