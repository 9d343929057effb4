// A shared answer cache with separate positive and negative TTLs (Dovecot
// auth-cache), which never stores a temporary failure and may serve an
// expired answer for a bounded time while the directory fails.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "vmaildir/config.hpp"
#include "vmaildir/result.hpp"

namespace vmaildir {

/// Thread-safe.  Values are copied in and out; keep them small.
template <class V> class AnswerCache {
public:
    using Clock = std::chrono::steady_clock;

    explicit AnswerCache(CacheSettings settings) : settings_(settings) {}

    /// Whether answers are kept at all.
    bool enabled() const noexcept { return settings_.max_entries > 0; }

    /// A fresh answer for `key`, if any.
    std::optional<Result<V>> fresh(const std::string& key) {
        std::lock_guard lock(mutex_);
        auto it = map_.find(key);
        if (it == map_.end() || Clock::now() >= it->second.expires)
            return std::nullopt;
        ++hits_;
        return it->second.result;
    }

    /// An expired answer still within cache_stale_ttl, for use while the directory fails.
    std::optional<Result<V>> stale(const std::string& key) {
        if (settings_.stale_ttl.count() == 0)
            return std::nullopt;
        std::lock_guard lock(mutex_);
        auto it = map_.find(key);
        if (it == map_.end() || Clock::now() >= it->second.expires + settings_.stale_ttl)
            return std::nullopt;
        return it->second.result;
    }

    /// Stores a found or not-found answer; temporary failures are never stored.
    void store(const std::string& key, const Result<V>& result) {
        if (!enabled() || result.is_temp_fail())
            return;
        auto ttl = result.is_found() ? settings_.positive_ttl : settings_.negative_ttl;
        auto now = Clock::now();
        std::lock_guard lock(mutex_);
        if (ttl.count() == 0) {
            // Not kept, but it supersedes what an older answer would serve stale.
            map_.erase(key);
            return;
        }
        if (map_.size() >= settings_.max_entries && !map_.count(key))
            make_room(now);
        map_.insert_or_assign(key, Slot{result, now + ttl});
    }

    /// Answers from the cache, else from `load` (storing its answer); when `load` fails
    /// temporarily, a stale answer is returned instead if one is allowed, and `on_stale` is
    /// told why.  `load` runs without the lock held.
    Result<V> get(const std::string& key, const std::function<Result<V>()>& load,
                  const std::function<void(const std::string& reason)>& on_stale = {}) {
        if (enabled())
            if (auto hit = fresh(key))
                return std::move(*hit);
        Result<V> loaded = load();
        if (!loaded.is_temp_fail()) {
            store(key, loaded);
            return loaded;
        }
        if (auto old = stale(key)) {
            if (on_stale)
                on_stale(loaded.reason());
            return std::move(*old);
        }
        return loaded;
    }

    void clear() {
        std::lock_guard lock(mutex_);
        map_.clear();
    }
    std::size_t size() const {
        std::lock_guard lock(mutex_);
        return map_.size();
    }
    std::size_t hits() const {
        std::lock_guard lock(mutex_);
        return hits_;
    }

private:
    struct Slot {
        Result<V> result;
        Clock::time_point expires;
    };

    // Drops what can no longer be served; if that is not enough, the tenth of the entries
    // closest to expiry.  Linear, but only when the cache is full.
    void make_room(Clock::time_point now) {
        std::erase_if(map_, [&](const auto& kv) {
            return now >= kv.second.expires + settings_.stale_ttl;
        });
        if (map_.size() < settings_.max_entries)
            return;
        std::vector<Clock::time_point> expiries;
        expiries.reserve(map_.size());
        for (const auto& kv : map_)
            expiries.push_back(kv.second.expires);
        std::size_t drop = std::max<std::size_t>(1, map_.size() / 10);
        std::nth_element(expiries.begin(), expiries.begin() + (drop - 1), expiries.end());
        Clock::time_point threshold = expiries[drop - 1];
        std::erase_if(map_, [&](const auto& kv) { return kv.second.expires <= threshold; });
    }

    CacheSettings settings_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Slot> map_;
    std::size_t hits_ = 0;
};

} // namespace vmaildir
