// A shared answer cache with separate positive and negative TTLs (Dovecot
// auth-cache), which never stores a temporary failure and may serve an
// expired answer for a bounded time while the directory fails.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/result.hpp"
#include "vmaildir/util/log.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

/// The generation of the directory's contents (Directory::generation()) that this thread's
/// current question is answered from; 0 when the directory has none.  The Service sets it
/// before each question.  A cached answer is fresh only while it is the generation the answer
/// was stored under, so a replica's change reaches every cache at once, whatever the TTLs.
/// It is read before the question's searches run, so an answer is never tagged with a newer
/// generation than the one it was computed from.
inline thread_local std::uint64_t answer_generation = 0;

/// Thread-safe.  Values are copied in and out; keep them small.  Large caches are split into
/// shards with a lock each, so that many threads answering from the cache rarely wait.
template <class V> class AnswerCache {
public:
    using Clock = std::chrono::steady_clock;

    explicit AnswerCache(CacheSettings settings)
        : settings_(settings), shards_(settings.max_entries >= 1024 ? 16 : 1),
          per_shard_(settings.max_entries / shards_.size()) {}

    /// Whether answers are kept at all.
    bool enabled() const noexcept { return settings_.max_entries > 0; }

    /// A fresh answer for `key`, if any.
    std::optional<Result<V>> fresh(const std::string& key) {
        std::optional<Result<V>> out;
        visit_fresh(key, [&](const Result<V>& r) { out = r; });
        return out;
    }

    /// An expired answer still within cache_stale_ttl, for use while the directory fails.
    std::optional<Result<V>> stale(const std::string& key) {
        std::optional<Result<V>> out;
        visit_stale(key, [&](const Result<V>& r) { out = r; });
        return out;
    }

    /// Calls `use` with the fresh answer for `key`, under the shard's lock (keep it short, no
    /// copy needed); false when there is none.
    template <class Use> bool visit_fresh(const std::string& key, Use&& use) {
        return visit(key, std::chrono::milliseconds{0}, true, use) && count_hit();
    }
    /// The same for an expired answer within cache_stale_ttl.
    template <class Use> bool visit_stale(const std::string& key, Use&& use) {
        return settings_.stale_ttl.count() != 0 && visit(key, settings_.stale_ttl, false, use);
    }

    /// Stores a found or not-found answer; temporary failures are never stored.
    void store(const std::string& key, const Result<V>& result) {
        if (!enabled() || result.is_temp_fail())
            return;
        auto ttl = result.is_found() ? settings_.positive_ttl : settings_.negative_ttl;
        auto now = Clock::now();
        Shard& sh = shard(key);
        std::lock_guard lock(sh.mutex);
        if (ttl.count() == 0) {
            // Not kept, but it supersedes what an older answer would serve stale.
            sh.map.erase(key);
            return;
        }
        if (sh.map.size() >= per_shard_ && !sh.map.count(key))
            make_room(sh, now);
        sh.map.insert_or_assign(key, Slot{result, now + ttl, answer_generation});
    }

    /// Answers from the cache, else from `load` (storing its answer); when `load` fails
    /// temporarily, a stale answer is returned instead if one is allowed, and `on_stale` is
    /// told why.  `load` runs without any lock held.
    template <class Load, class OnStale>
    Result<V> get(const std::string& key, Load&& load, OnStale&& on_stale) {
        if (enabled())
            if (auto hit = fresh(key))
                return std::move(*hit);
        Result<V> loaded = load();
        if (!loaded.is_temp_fail()) {
            store(key, loaded);
            return loaded;
        }
        if (auto old = stale(key)) {
            on_stale(loaded.reason());
            return std::move(*old);
        }
        return loaded;
    }
    template <class Load> Result<V> get(const std::string& key, Load&& load) {
        return get(key, std::forward<Load>(load), [](const std::string&) {});
    }

    /// Drops the answer for `key` (e.g. after vmaildir itself changed what it depends on).
    void forget(const std::string& key) {
        Shard& sh = shard(key);
        std::lock_guard lock(sh.mutex);
        sh.map.erase(key);
    }

    void clear() {
        for (Shard& sh : shards_) {
            std::lock_guard lock(sh.mutex);
            sh.map.clear();
        }
    }
    std::size_t size() const {
        std::size_t n = 0;
        for (const Shard& sh : shards_) {
            std::lock_guard lock(sh.mutex);
            n += sh.map.size();
        }
        return n;
    }
    std::size_t hits() const { return hits_.load(std::memory_order_relaxed); }

private:
    struct Slot {
        Result<V> result;
        Clock::time_point expires;
        std::uint64_t generation; ///< answer_generation when stored
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, Slot> map;
    };

    // `use` sees the entry for `key` if it expires less than `grace` ago (and, when `current`,
    // was stored under this generation of the directory).
    template <class Use>
    bool visit(const std::string& key, std::chrono::milliseconds grace, bool current, Use& use) {
        Shard& sh = shard(key);
        std::lock_guard lock(sh.mutex);
        auto it = sh.map.find(key);
        if (it == sh.map.end() || Clock::now() >= it->second.expires + grace ||
            (current && it->second.generation != answer_generation))
            return false;
        use(static_cast<const Result<V>&>(it->second.result));
        return true;
    }
    bool count_hit() {
        hits_.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    Shard& shard(const std::string& key) {
        return shards_[shards_.size() == 1 ? 0 : std::hash<std::string>{}(key) % shards_.size()];
    }

    // Drops what can no longer be served; if that is not enough, the tenth of the entries
    // closest to expiry.  Linear in the shard, but only when it is full.
    void make_room(Shard& sh, Clock::time_point now) {
        std::erase_if(sh.map, [&](const auto& kv) {
            return now >= kv.second.expires + settings_.stale_ttl;
        });
        if (sh.map.size() < per_shard_)
            return;
        std::vector<Clock::time_point> expiries;
        expiries.reserve(sh.map.size());
        for (const auto& kv : sh.map)
            expiries.push_back(kv.second.expires);
        std::size_t drop = std::max<std::size_t>(1, sh.map.size() / 10);
        std::nth_element(expiries.begin(), expiries.begin() + (drop - 1), expiries.end());
        Clock::time_point threshold = expiries[drop - 1];
        std::erase_if(sh.map, [&](const auto& kv) { return kv.second.expires <= threshold; });
    }

    CacheSettings settings_;
    std::vector<Shard> shards_;
    std::size_t per_shard_;
    std::atomic<std::size_t> hits_{0};
};

/// cache.get() that says so in the log when the directory fails and an expired answer is
/// served instead: "WHAT KEY: directory failed (REASON); answering from expired cache entry".
template <class V, class Load>
Result<V> answer_from(AnswerCache<V>& cache, const std::string& key, Load&& load, Logger& log,
                      std::string_view what, std::string_view shown) {
    return cache.get(key, std::forward<Load>(load), [&](const std::string& reason) {
        log.warning(std::string(what) + " " + util::printable(shown) + ": directory failed (" +
                    reason + "); answering from expired cache entry");
    });
}

} // namespace vmaildir
