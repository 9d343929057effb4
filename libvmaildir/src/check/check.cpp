// Directory consistency (check.hpp).
//
// The check reads every domain, account and alias once, then replays SPEC §3
// on an in-memory copy of that snapshot with the very resolver the daemons
// use, so "what would happen to mail for X" has one answer everywhere.
#include "check/check.hpp"

#include "check/snapshot.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/directory/memory_directory.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

#include <map>
#include <set>

namespace vmaildir {

namespace {

using Severity = Finding::Severity;

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const std::string& s : v)
        out += (out.empty() ? "" : ", ") + s;
    return out;
}

/// Accounts whose stored password is cleartext (SPEC §4): compare mode refuses them unless
/// allow_cleartext_passwords = yes, and slapd accepts them on a bind, so they are reported
/// whichever method the hosts use.  `addresses`: account addresses by normalised DN.
void check_passwords(MailReader& live, std::chrono::milliseconds timeout,
                     const std::map<std::string, std::string>& addresses,
                     std::vector<Finding>& findings) {
    const std::string& attribute = live.mapper().schema().password_attribute;
    if (attribute.empty() || addresses.empty())
        return;
    auto found = live.stored_passwords(
        Deadline::after(std::max(timeout * 6, std::chrono::milliseconds(60000))));
    if (!found.is_found()) {
        findings.push_back({Severity::warning, "passwords not checked: " + found.reason()});
        return;
    }
    std::size_t readable = 0;
    for (const Entry& e : found.value()) {
        auto known = addresses.find(util::normalise_dn(e.dn()));
        const auto& values = e.values(attribute);
        if (known == addresses.end() || values.empty())
            continue;
        ++readable;
        if (std::any_of(values.begin(), values.end(),
                        [](const std::string& v) { return stored_in_cleartext(v); }))
            findings.push_back(
                {Severity::warning,
                 "account " + known->second + " stores its " + attribute +
                     " in cleartext: slapd accepts it on a bind, auth_method = compare refuses "
                     "it unless allow_cleartext_passwords = yes; store a hash (`vmaildir "
                     "account password`)"});
    }
    if (readable == 0)
        findings.push_back({Severity::info, "no account's " + attribute +
                                                " is readable with this identity: cleartext "
                                                "passwords not checked"});
}

} // namespace

bool CheckReport::has_errors() const {
    for (const Finding& f : findings)
        if (f.severity == Finding::Severity::error)
            return true;
    return false;
}

Result<CheckReport> check_directory(MailReader& live, const ResolverSettings& settings,
                                    Logger& log) {
    CheckReport report;
    auto snap = read_snapshot(live, settings.timeout, &report.findings);
    if (!snap.is_found())
        return Result<CheckReport>::failure_of(snap);
    const Snapshot& s = snap.value();
    const EntryMapper& m = live.mapper();
    auto add = [&](Severity sev, std::string text) {
        report.findings.push_back({sev, std::move(text)});
    };

    // Replay resolution on an in-memory copy of the snapshot, uncached.
    MemoryDirectory copy(s.entries, "snapshot");
    MailReader reader(copy, m);
    ResolverSettings rs = settings;
    rs.cache = CacheSettings{};
    rs.cache.max_entries = 0;
    Resolver resolver(reader, rs, log);

    std::map<std::string, std::vector<std::string>> live_aliases; // "local@domain" → DNs
    std::map<std::string, std::vector<std::string>> live_account_dns;
    std::vector<std::string> alias_addresses;
    std::map<std::string, std::string> account_addresses; // by normalised DN
    for (const auto& [dn, d] : s.domains) {
        ++report.domains;
        if (!d.flags.live())
            add(Severity::info, "domain " + d.name + " is " +
                                    (d.flags.deleted ? "deleted" : "inactive") +
                                    ": its addresses do not exist for mail or login");
    }
    for (const Entry& e : s.entries) {
        bool account = m.is_account(e), alias = m.is_alias(e);
        if (!account && !alias)
            continue;
        const Domain* d = domain_of(s, e.dn());
        if (!d) {
            add(Severity::warning, "entry " + e.dn() + " is not below any domain entry: ignored");
            continue;
        }
        if (account) {
            ++report.accounts;
            auto a = m.account(e, d->name);
            if (a.is_found())
                account_addresses.emplace(util::normalise_dn(e.dn()), a.value().address);
            if (!a.is_found()) {
                add(Severity::error, a.reason());
            } else if (a.value().mailbox.empty()) {
                add(Severity::error, "account " + a.value().address + " (" + e.dn() + ") has no " +
                                         m.schema().mailbox_attribute);
            } else if (a.value().flags.live() && d->flags.live()) {
                live_account_dns[util::ascii_lower(a.value().address)].push_back(e.dn());
            }
        }
        if (alias) {
            ++report.aliases;
            auto a = m.alias(e, d->name);
            if (!a.is_found()) {
                add(Severity::error, a.reason());
            } else if (a.value().flags.live() && d->flags.live()) {
                std::string key = util::ascii_lower(a.value().address);
                live_aliases[key].push_back(e.dn());
                if (a.value().catch_all)
                    add(Severity::info, "catch-all " + a.value().address + " → " +
                                            join(a.value().destinations) +
                                            " (accepts every address of " + d->name +
                                            " that resolves to nothing else)");
                else
                    alias_addresses.push_back(a.value().address);
            }
        }
    }
    for (const auto* group : {&live_aliases, &live_account_dns})
        for (const auto& [address, dns] : *group)
            if (dns.size() > 1)
                add(Severity::error, std::to_string(dns.size()) + " live " +
                                         (group == &live_aliases ? "aliases" : "accounts") +
                                         " for " + address + " (" + join(dns) +
                                         "): lookups answer temporary failure");

    // RFC 2142: every domain needs postmaster@ and abuse@.
    for (const auto& [dn, d] : s.domains) {
        if (!d.flags.live())
            continue;
        for (const char* role : {"postmaster", "abuse"}) {
            std::string address = std::string(role) + "@" + d.name;
            auto r = resolver.resolve(address);
            if (r.is_not_found())
                add(Severity::error, "domain " + d.name + " has no " + address + " (RFC 2142)");
            else if (r.is_found() && r.value().route == Route::catch_all)
                add(Severity::warning, "domain " + d.name + ": " + address +
                                           " exists only through the catch-all (RFC 2142 "
                                           "wants it explicit)");
            else if (r.is_temp_fail())
                add(Severity::error, address + ": " + r.reason());
        }
    }

    // Every alias must expand to something, without loops; destinations in hosted domains
    // should exist.
    std::set<std::string> reported;
    for (const std::string& address : alias_addresses) {
        Trace trace;
        auto r = resolver.expand(address, &trace);
        if (r.is_temp_fail() && reported.insert(r.reason()).second)
            add(Severity::error, "alias " + address + ": " + r.reason());
        for (const std::string& line : trace)
            if (line.rfind("loop:", 0) == 0 && r.is_found() &&
                reported.insert(address + line).second)
                add(Severity::warning, "alias " + address + " reaches itself again (" + line +
                                           "); the repeated branch is skipped");
        auto direct = resolver.resolve(address);
        if (!direct.is_found())
            continue;
        for (const std::string& dest : direct.value().destinations) {
            auto parsed = parse_address(dest, m.settings().address);
            const Address* a = std::get_if<Address>(&parsed);
            if (!a)
                continue;
            auto hosted = resolver.domain(a->domain());
            if (!hosted.is_found())
                continue;
            auto target = resolver.resolve(dest);
            if (target.is_not_found())
                add(Severity::warning,
                    "alias " + address + " → " + dest + ": no such address (mail to it bounces)");
        }
    }
    check_passwords(live, settings.timeout, account_addresses, report.findings);
    return Result<CheckReport>::found(std::move(report));
}

} // namespace vmaildir
