// Recursive expansion of aliases to the final recipients (SPEC §3): depth-first,
// a branch that comes back to an address being expanded is skipped, and deeper
// nesting than recursion_limit or more finals than expansion_limit is a
// temporary failure, never a bounce (docs/decisions.md).
#include "resolve/resolver.hpp"

#include <algorithm>
#include <functional>
#include <set>

namespace vmaildir {

Result<std::vector<std::string>> Resolver::expand(std::string_view key, Trace* trace,
                                                  bool use_cache, std::vector<std::string>* loops) {
    return with_address<std::vector<std::string>>(key, trace, "key", [&](const Address& start) {
        return expand_from(start, trace, use_cache, loops);
    });
}

Result<std::vector<std::string>> Resolver::expand_from(const Address& start, Trace* trace,
                                                       bool use_cache,
                                                       std::vector<std::string>* loops) {
    using Out = Result<std::vector<std::string>>;
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
                } else if (std::find(chain.begin(), chain.end(), n->key()) != chain.end()) {
                    loop = true;
                    note(trace, "loop: " + n->text() + " is already being expanded");
                    if (loops)
                        loops->push_back(n->text());
                } else {
                    chain.push_back(n->key());
                    walk(*n, depth + 1, chain);
                    chain.pop_back();
                }
                if (finals.size() > settings_.expansion_limit) {
                    failed = Outcome::temp_fail;
                    failure = "expansion of " + start.original() + " exceeds expansion_limit " +
                              std::to_string(settings_.expansion_limit);
                }
                if (failed != Outcome::found)
                    return;
            }
        };
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

} // namespace vmaildir
