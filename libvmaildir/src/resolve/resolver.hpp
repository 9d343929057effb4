// Resolution of recipients, senders and accounts (SPEC §2-§3) over a MailReader,
// with an answer cache per question.  resolver.cpp holds the SPEC §3 order and
// the domain and account lookups, expansion.cpp the recursive expansion of
// aliases, senders.cpp who may send as an address.
#pragma once

#include "model/mail_reader.hpp"
#include "resolve/answer_cache.hpp"
#include "resolve/trace.hpp"
#include "vmaildir/config/config.hpp"
#include "vmaildir/resolve/resolution.hpp"
#include "vmaildir/util/log.hpp"
#include "vmaildir/util/text.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

struct ResolverSettings {
    std::chrono::milliseconds timeout{10000};
    unsigned recursion_limit = 20;
    unsigned expansion_limit = 1000;
    CacheSettings cache;
};

/// Thread-safe.  Answers come from the cache where allowed; `explain` callers pass a Trace
/// and get uncached answers with every step written down.  `use_cache = false` answers the
/// key itself freshly while nested lookups (alias members, owners) may still come from the
/// cache: for callers that cache the final answer themselves.
class Resolver {
public:
    Resolver(MailReader& reader, ResolverSettings settings, Logger& log);

    /// SPEC §3 for one key.  not_found for keys that cannot be addresses.
    Result<Delivery> resolve(std::string_view key, Trace* trace = nullptr, bool use_cache = true);
    /// The final addresses after recursive expansion (accounts, foreign addresses, local users),
    /// with loop detection and the expansion limits.  A branch that comes back to an address
    /// being expanded is skipped; `loops`, when given, receives each such address.
    Result<std::vector<std::string>> expand(std::string_view key, Trace* trace = nullptr,
                                            bool use_cache = true,
                                            std::vector<std::string>* loops = nullptr);
    /// A live hosted domain; with `hosted_suffices`, also an inactive one (never a deleted one).
    Result<Domain> domain(std::string_view name, Trace* trace = nullptr,
                          bool hosted_suffices = false, bool use_cache = true);
    /// The live account for an address (sub-address removed when needed); aliases and
    /// catch-alls do not count.
    Result<Account> account(std::string_view key, Trace* trace = nullptr, bool use_cache = true);
    /// The live account for a login: the exact address only (no sub-address removal), never
    /// from the cache (a disabled account must stop logging in at once).
    Result<Account> login_account(std::string_view key, Trace* trace = nullptr);
    /// Logins allowed to send as an address: the live account itself, and the live accounts
    /// among the direct destinations of a live alias; never through a catch-all.
    Result<std::vector<std::string>> senders(std::string_view key, Trace* trace = nullptr,
                                             bool use_cache = true);

    const EntryMapper& mapper() const noexcept { return reader_.mapper(); }
    MailReader& reader() noexcept { return reader_; }
    const ResolverSettings& settings() const noexcept { return settings_; }

private:
    Result<Delivery> resolve_uncached(const Address& address, Deadline deadline, Trace* trace);
    Result<Domain> domain_uncached(const std::string& name, bool hosted_suffices, Deadline deadline,
                                   Trace* trace);
    Result<Account> account_uncached(const Address& address, bool exact, Deadline deadline,
                                     Trace* trace);
    Result<std::vector<std::string>> expand_from(const Address& start, Trace* trace, bool use_cache,
                                                 std::vector<std::string>* loops);
    Result<std::vector<std::string>> senders_uncached(const Address& address, Deadline deadline,
                                                      Trace* trace);
    Result<Delivery> resolve_at(const Address& address, Deadline deadline, Trace* trace,
                                bool use_cache = true);
    Result<Account> account_at(const Address& address, Deadline deadline, Trace* trace,
                               bool use_cache = true);

    /// `then(address)` for a key that parses as an address; any other key is not found, and
    /// the trace says why ("LABEL 'KEY': problem").
    template <class T, class Then>
    Result<T> with_address(std::string_view key, Trace* trace, const char* label, Then&& then) {
        auto parsed = parse_address(key, mapper().settings().address);
        if (auto* problem = std::get_if<std::string>(&parsed)) {
            note(trace, std::string(label) + " '" + util::printable(key) + "': " + *problem);
            return Result<T>::not_found(*problem);
        }
        return then(std::get<Address>(parsed));
    }

    /// `load(trace)` when a trace or `use_cache = false` asks for a fresh answer, else the
    /// answer `cache` holds for `key` (loading it with `load(nullptr)` on a miss).  `what`
    /// and `shown` name the question in the log when an expired answer is served.
    template <class V, class Load>
    Result<V> cached(AnswerCache<V>& cache, const std::string& key, const char* what,
                     std::string_view shown, Trace* trace, bool use_cache, Load&& load) {
        if (trace || !use_cache)
            return load(trace);
        return answer_from(
            cache, key, [&] { return load(nullptr); }, log_, what, shown);
    }

    MailReader& reader_;
    ResolverSettings settings_;
    Logger& log_;
    AnswerCache<Delivery> deliveries_;
    AnswerCache<Domain> domains_;
    AnswerCache<Account> accounts_;
    AnswerCache<std::vector<std::string>> senders_;
};

} // namespace vmaildir
