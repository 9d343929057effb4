// AnswerCache (SPEC §6 "Caching"): positive and negative TTLs, never a temporary failure,
// bounded serve-stale after a failed load only, eviction when full, and many threads at once.
// TTLs are whole seconds and the clock is steady_clock, so the expiry checks share two short
// sleeps in one test case (about 2 s in all); everything else needs no sleeping.
#include "resolve/answer_cache.hpp"

#include <atomic>
#include <chrono>
#include <doctest/doctest.h>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

using vmaildir::AnswerCache;
using vmaildir::CacheSettings;
using vmaildir::Outcome;

namespace {

using R = vmaildir::Result<std::string>;
using Cache = AnswerCache<std::string>;
using namespace std::chrono_literals;

CacheSettings settings(std::chrono::seconds positive, std::chrono::seconds negative,
                       std::chrono::seconds stale = 0s, std::size_t max_entries = 1000) {
    CacheSettings s;
    s.positive_ttl = positive;
    s.negative_ttl = negative;
    s.stale_ttl = stale;
    s.max_entries = max_entries;
    return s;
}

/// A load function that counts its calls and answers what it is told.
struct Loader {
    R answer = R::temp_fail("directory down");
    int calls = 0;
    std::function<R()> fn() {
        return [this] {
            ++calls;
            return answer;
        };
    }
};

/// Records on_stale calls.
struct StaleLog {
    std::vector<std::string> reasons;
    std::function<void(const std::string&)> fn() {
        return [this](const std::string& reason) {
            reasons.push_back(reason);
        };
    }
};

std::string describe(const std::optional<R>& r) {
    if (!r)
        return "none";
    std::string out = vmaildir::to_string(r->outcome());
    if (r->is_found())
        out += " " + r->value();
    return out;
}
std::string describe(const R& r) {
    return describe(std::optional<R>(r));
}

TEST_CASE("cache: what is stored and answered (no expiry involved)") {
    struct Row {
        std::string_view name;
        CacheSettings settings;
        R stored;
        std::string fresh; // describe(fresh()) afterwards
        std::size_t size;
    };
    const std::vector<Row> rows = {
        {"found is stored", settings(60s, 60s), R::found("box"), "found box", 1},
        {"not found is stored", settings(60s, 60s), R::not_found("no such user"), "not found", 1},
        {"temporary failure is never stored", settings(60s, 60s, 60s), R::temp_fail("timeout"),
         "none", 0},
        {"default-constructed result is a temporary failure, never stored", settings(60s, 60s), R(),
         "none", 0},
        {"zero positive TTL: found not stored", settings(0s, 60s), R::found("box"), "none", 0},
        {"zero negative TTL: not found not stored", settings(60s, 0s), R::not_found("x"), "none",
         0},
        {"disabled cache (max_entries 0) stores nothing", settings(60s, 60s, 60s, 0),
         R::found("box"), "none", 0},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Cache cache(r.settings);
        cache.store("bob@example.org", r.stored);
        CHECK(describe(cache.fresh("bob@example.org")) == r.fresh);
        CHECK(cache.size() == r.size);
        CHECK(describe(cache.fresh("other@example.org")) == "none");
    }
}

TEST_CASE("cache: get() loads once, then answers from the cache") {
    struct Row {
        std::string_view name;
        CacheSettings settings;
        R answer;
        int calls_after_three_gets;
    };
    const std::vector<Row> rows = {
        {"found cached", settings(60s, 60s), R::found("box"), 1},
        {"not found cached", settings(60s, 60s), R::not_found("none"), 1},
        {"temporary failure loads every time", settings(60s, 60s, 60s), R::temp_fail("down"), 3},
        {"disabled cache loads every time", settings(60s, 60s, 60s, 0), R::found("box"), 3},
        {"zero negative TTL loads every time", settings(60s, 0s), R::not_found("none"), 3},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        Cache cache(r.settings);
        Loader load;
        load.answer = r.answer;
        StaleLog stale;
        for (int i = 0; i < 3; ++i) {
            R got = cache.get("k", load.fn(), stale.fn());
            CHECK(describe(got) == describe(r.answer));
            CHECK(got.reason() == r.answer.reason());
        }
        CHECK(load.calls == r.calls_after_three_gets);
        CHECK(stale.reasons.empty()); // nothing was ever served stale
        CHECK(cache.hits() == static_cast<std::size_t>(3 - r.calls_after_three_gets));
    }
}

TEST_CASE("cache: a newer answer replaces an older one") {
    Cache cache(settings(60s, 60s));
    cache.store("k", R::found("old"));
    cache.store("k", R::found("new"));
    CHECK(describe(cache.fresh("k")) == "found new");
    cache.store("k", R::not_found("gone"));
    CHECK(describe(cache.fresh("k")) == "not found");
    cache.store("k", R::temp_fail("down")); // does not wipe the last real answer
    CHECK(describe(cache.fresh("k")) == "not found");
    CHECK(cache.size() == 1);
    cache.clear();
    CHECK(cache.size() == 0);
    CHECK(describe(cache.fresh("k")) == "none");
}

TEST_CASE("cache: stale answers need a stale window and an expired entry") {
    // Without expiry nothing is stale-served: get() answers fresh entries itself.
    Cache no_window(settings(60s, 60s, 0s));
    no_window.store("k", R::found("box"));
    CHECK(describe(no_window.stale("k")) == "none"); // stale_ttl 0: never

    Cache cache(settings(60s, 60s, 60s));
    CHECK(describe(cache.stale("k")) == "none"); // nothing stored
    cache.store("k", R::found("box"));
    Loader load; // temp_fail
    StaleLog log;
    R got = cache.get("k", load.fn(), log.fn());
    CHECK(describe(got) == "found box");
    CHECK(load.calls == 0); // fresh: the directory is not asked
    CHECK(log.reasons.empty());
}

TEST_CASE("cache: expiry, stale window and eviction of the unservable (sleeps about 2 s)") {
    const auto t0 = std::chrono::steady_clock::now();

    Cache positive_short(settings(1s, 60s));    // found expires, not found lives on
    Cache negative_short(settings(60s, 1s));    // not found expires, found lives on
    Cache stale_window(settings(1s, 1s, 1s));   // expires at 1 s, servable stale until 2 s
    Cache stale_long(settings(1s, 1s, 60s));    // stale answers for a minute
    Cache zero_negative(settings(1s, 0s, 60s)); // not-found answers are never kept
    Cache crowded(settings(60s, 1s, 0s, 10));   // expired negatives make room first

    for (Cache* c : {&positive_short, &negative_short})
        c->store("found", R::found("box")), c->store("missing", R::not_found("none"));
    stale_window.store("k", R::found("box"));
    stale_long.store("found", R::found("box"));
    stale_long.store("missing", R::not_found("none"));
    stale_long.store("replaced", R::found("old"));
    stale_long.store("no-callback", R::found("box"));
    zero_negative.store("k", R::found("old"));
    for (int i = 0; i < 5; ++i)
        crowded.store("neg" + std::to_string(i), R::not_found("none"));
    for (int i = 0; i < 5; ++i)
        crowded.store("pos" + std::to_string(i), R::found("box"));
    REQUIRE(crowded.size() == 10);

    // One sleep for all the blocks below (doctest SUBCASEs would re-run it for each); every
    // block is independent of the others' caches and keys.
    std::this_thread::sleep_for(1050ms);
    // Everything stored above expires at t0 + 1 s at the latest; guard against a slow machine
    // having spent the stale window of stale_window before the sleep even started.
    REQUIRE(std::chrono::steady_clock::now() - t0 < 1900ms);

    {
        INFO("positive and negative TTLs are separate");
        CHECK(describe(positive_short.fresh("found")) == "none");
        CHECK(describe(positive_short.fresh("missing")) == "not found");
        CHECK(describe(negative_short.fresh("found")) == "found box");
        CHECK(describe(negative_short.fresh("missing")) == "none");
    }
    {
        INFO("an expired entry is reloaded, not served, when the directory answers");
        Loader load;
        load.answer = R::not_found("deleted");
        StaleLog log;
        CHECK(describe(stale_long.get("replaced", load.fn(), log.fn())) == "not found");
        CHECK(load.calls == 1);
        CHECK(log.reasons.empty());
        // ...and the new answer is what a later failure falls back to.
        Loader down;
        CHECK(describe(stale_long.get("replaced", down.fn(), log.fn())) == "not found");
        CHECK(down.calls == 0); // fresh again
    }
    {
        INFO("stale found and not-found answers after a failed load, with on_stale told why");
        for (const char* key : {"found", "missing"}) {
            CAPTURE(key);
            Loader down;
            down.answer = R::temp_fail("ldap://a/: connect timed out");
            StaleLog log;
            R got = stale_long.get(key, down.fn(), log.fn());
            CHECK(describe(got) == (std::string(key) == "found" ? "found box" : "not found"));
            CHECK(down.calls == 1);
            REQUIRE(log.reasons.size() == 1);
            CHECK(log.reasons[0] == "ldap://a/: connect timed out");
            CHECK(describe(stale_long.fresh(key)) == "none"); // still expired
        }
    }
    {
        INFO("stale serving without an on_stale callback");
        Loader down;
        CHECK(describe(stale_long.get("no-callback", down.fn())) == "found box");
    }
    {
        INFO("a key never stored has nothing stale to serve");
        Loader down;
        StaleLog log;
        R got = stale_long.get("never", down.fn(), log.fn());
        CHECK(got.is_temp_fail());
        CHECK(got.reason() == "directory down");
        CHECK(log.reasons.empty());
    }
    {
        INFO("a not-found answer that is not cached still supersedes the stale found one");
        // negative TTL 0: "not found" is answered but not kept.  The expired "found" must not
        // come back when the directory fails next: the directory has since said otherwise.
        Loader gone;
        gone.answer = R::not_found("deleted");
        CHECK(describe(zero_negative.get("k", gone.fn())) == "not found");
        Loader down;
        StaleLog log;
        R got = zero_negative.get("k", down.fn(), log.fn());
        CHECK(got.is_temp_fail());
        CHECK(log.reasons.empty());
    }
    {
        INFO("expired entries beyond the stale window are dropped first when full");
        crowded.store("new", R::found("box"));
        CHECK(crowded.size() == 6); // the five expired negatives went, no live entry did
        for (int i = 0; i < 5; ++i) {
            CAPTURE(i);
            CHECK(describe(crowded.fresh("pos" + std::to_string(i))) == "found box");
        }
        CHECK(describe(crowded.fresh("new")) == "found box");
    }
    {
        INFO("within the stale window, then past it");
        Loader down;
        StaleLog log;
        CHECK(describe(stale_window.get("k", down.fn(), log.fn())) == "found box");
        CHECK(log.reasons.size() == 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(2050) -
                                    (std::chrono::steady_clock::now() - t0));
        CHECK(describe(stale_window.stale("k")) == "none");
        R got = stale_window.get("k", down.fn(), log.fn());
        CHECK(got.is_temp_fail());
        CHECK(log.reasons.size() == 1); // not told again: nothing was served
        CHECK(down.calls == 2);
    }
}

TEST_CASE("cache: eviction when full drops the entries closest to expiry") {
    // One not-found with the short negative TTL, then found answers with the long positive one:
    // the not-found is the one closest to expiry whatever the clock's resolution.
    Cache cache(settings(60s, 30s, 0s, 10));
    cache.store("first", R::not_found("none"));
    for (int i = 0; i < 9; ++i)
        cache.store("k" + std::to_string(i), R::found(std::to_string(i)));
    REQUIRE(cache.size() == 10);

    SUBCASE("replacing a key when full evicts nothing") {
        cache.store("k3", R::found("three"));
        CHECK(cache.size() == 10);
        CHECK(describe(cache.fresh("first")) == "not found");
        CHECK(describe(cache.fresh("k3")) == "found three");
    }
    SUBCASE("a new key evicts a tenth, closest to expiry first") {
        cache.store("new", R::found("n"));
        CHECK(cache.size() == 10);
        CHECK(describe(cache.fresh("first")) == "none");
        CHECK(describe(cache.fresh("new")) == "found n");
        for (int i = 0; i < 9; ++i) {
            CAPTURE(i);
            CHECK(describe(cache.fresh("k" + std::to_string(i))) == "found " + std::to_string(i));
        }
    }
    SUBCASE("the size never exceeds max_entries") {
        for (int i = 0; i < 100; ++i) {
            cache.store("more" + std::to_string(i), R::found("x"));
            CHECK(cache.size() <= 10);
        }
        CHECK(describe(cache.fresh("more99")) == "found x");
    }
}

TEST_CASE("cache: a single-entry cache still works") {
    Cache cache(settings(60s, 60s, 0s, 1));
    cache.store("a", R::found("1"));
    cache.store("b", R::found("2"));
    CHECK(cache.size() == 1);
    CHECK(describe(cache.fresh("a")) == "none");
    CHECK(describe(cache.fresh("b")) == "found 2");
}

TEST_CASE("cache: many threads") {
    // Keys k0..k49: even keys are found (value = key), odd keys not found, every seventh a
    // temporary failure.  A small max_entries keeps eviction running concurrently with reads.
    // Each thread asks for a key four times running, so that there are hits however the
    // threads are scheduled (on a busy machine they may well run one after the other).
    Cache cache(settings(60s, 60s, 60s, 20));
    constexpr int threads = 8;
    constexpr int rounds = 2000;
    std::atomic<int> wrong{0};
    std::atomic<int> loads{0};
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t) {
        pool.emplace_back([&, t] {
            for (int i = 0; i < rounds; ++i) {
                int n = ((i / 4) * 7 + t * 13) % 50;
                std::string key = "k" + std::to_string(n);
                R got = cache.get(key, [&] {
                    ++loads;
                    if (n % 7 == 0)
                        return R::temp_fail("down");
                    return n % 2 == 0 ? R::found(key) : R::not_found("none");
                });
                bool right = n % 7 == 0   ? got.is_temp_fail()
                             : n % 2 == 0 ? got.is_found() && got.value() == key
                                          : got.is_not_found();
                if (!right)
                    ++wrong;
            }
        });
    }
    for (std::thread& th : pool)
        th.join();
    CHECK(wrong.load() == 0);
    CHECK(cache.size() <= 20);
    CHECK(cache.hits() > 0);
    CHECK(cache.hits() + static_cast<std::size_t>(loads.load()) ==
          static_cast<std::size_t>(threads * rounds));
}

} // namespace
