// Who may send as an address (the `sender` map, smtpd_sender_login_maps): the
// live account itself and the live accounts among a live alias's direct
// destinations; never through a catch-all (docs/decisions.md).
#include "resolve/candidates.hpp"
#include "resolve/resolver.hpp"

#include <set>

namespace vmaildir {

Result<std::vector<std::string>> Resolver::senders(std::string_view key, Trace* trace,
                                                   bool use_cache) {
    return with_address<std::vector<std::string>>(key, trace, "key", [&](const Address& a) {
        Deadline deadline = Deadline::after(settings_.timeout);
        return cached(senders_, a.key(), "sender", a.key(), trace, use_cache,
                      [&](Trace* t) { return senders_uncached(a, deadline, t); });
    });
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
