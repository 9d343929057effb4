// The replica without a server: a store filled from the example directories
// answers the shared table exactly as the live directory does; a store that is
// missing, unfilled, stale or damaged answers temporary failure, never "not
// found"; a change reaches the answer caches at once; and the sync messages of
// a refresh (present phases, cookies) leave the store equal to the provider.
#include "replica/replica_directory.hpp"
#include "pipeline.hpp"
#include "replicator.hpp"
#include "resolve/lookups.hpp"
#include "support/example_rows.hpp"
#include "support/scripted_directory.hpp"
#include "vmaildir/replica/scope.hpp"
#include "vmaildir/replica/store.hpp"
#include "vmaildir/resolve/maps.hpp"
#include "vmaildir/service/service.hpp"
#include "vmaildir/util/dn.hpp"

#include <algorithm>
#include <cstdlib>
#include <ctime>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sys/stat.h>
#include <unistd.h>

using namespace vmaildir;
using namespace vmaildir::replica;

namespace {

/// A fresh directory under /tmp, removed afterwards.
struct TempDir {
    TempDir() {
        char pattern[] = "/tmp/vmaildir-replica-test.XXXXXX";
        path = mkdtemp(pattern);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string path;
};

Uuid uuid_of(std::size_t n) {
    Uuid u(16, '\0');
    for (int i = 0; i < 8; ++i)
        u[15 - i] = static_cast<char>((n >> (8 * i)) & 0xff);
    return u;
}

/// The store `path` filled with the example entries of `preset` below search_base, ready and
/// current.
void fill(const std::string& path, const Config& config, const std::string& preset,
          bool ready = true, std::int64_t synced_at = std::time(nullptr)) {
    StoreWriter store(path, replica_scope(config).layout);
    auto batch = store.begin();
    std::size_t n = 0;
    for (const Entry& e : test::example_directory(preset)->entries())
        if (util::dn_within(e.dn(), config.search_base))
            batch.put(uuid_of(++n), e);
    batch.set_ready(ready);
    batch.set_cookie("rid=000,csn=test");
    batch.touch(synced_at, "test");
    batch.commit();
}

std::unique_ptr<Directory> replica_of(const std::string& path, const Config& config,
                                      const std::string& preset,
                                      std::chrono::seconds max_stale = std::chrono::seconds(3600)) {
    ReplicaScope scope = replica_scope(config);
    return std::make_unique<ReplicaDirectory>(
        path, ReaderPolicy{config.search_base, max_stale, scope.passwords},
        std::make_unique<test::ScriptedDirectory>(test::example_directory(preset)),
        scope.password_attribute, scope.passwords);
}

} // namespace

TEST_CASE("the shared table answers the same from a replica") {
    for (const char* preset : {"jamm", "courier", "mailrouter"}) {
        TempDir dir;
        Config config = test::example_config(preset);
        fill(dir.path, config, preset);
        auto directory = replica_of(dir.path, config, preset);
        auto log = make_null_logger();
        Lookups lookups(config, *directory, *log);
        for (const test::Row& row : test::example_rows) {
            if (!test::applies(row, preset))
                continue;
            std::string name = row.name;
            CAPTURE(preset);
            CAPTURE(name);
            CAPTURE(row.key);
            auto r = lookups.maps.lookup(*parse_map_name(row.map), row.key);
            CHECK_MESSAGE(r.outcome() == row.outcome, r.reason());
            if (row.outcome == Outcome::found && r.is_found())
                CHECK(r.value() == row.values);
        }
    }
}

TEST_CASE("a replica that may not answer gives temporary failures, never not found") {
    Config config = test::example_config("jamm");
    auto log = make_null_logger();
    // The live directory failing is the measure: keys that need no search (no address at all,
    // a NUL) are not found either way; every other answer must be a temporary failure.
    test::ScriptedDirectory failing(test::example_directory("jamm"));
    failing.mode = test::ScriptedDirectory::Mode::temp_fail;
    Lookups expected(config, failing, *log);
    auto every_row_defers = [&](Directory& directory) {
        Lookups lookups(config, directory, *log);
        for (const test::Row& row : test::example_rows) {
            if (!test::applies(row, "jamm"))
                continue;
            std::string name = row.name;
            CAPTURE(name);
            auto r = lookups.maps.lookup(*parse_map_name(row.map), row.key);
            auto e = expected.maps.lookup(*parse_map_name(row.map), row.key);
            CHECK(r.outcome() == e.outcome());
            if (row.outcome == Outcome::found)
                CHECK(r.is_temp_fail());
            CHECK_FALSE(r.reason().empty());
        }
        CHECK(directory.generation().is_temp_fail());
    };
    SUBCASE("no store at all") {
        TempDir dir;
        auto directory = replica_of(dir.path + "/missing", config, "jamm");
        every_row_defers(*directory);
    }
    SUBCASE("the first refresh has not completed") {
        TempDir dir;
        fill(dir.path, config, "jamm", false);
        auto directory = replica_of(dir.path, config, "jamm");
        every_row_defers(*directory);
    }
    SUBCASE("out of touch for longer than replica_max_stale") {
        TempDir dir;
        fill(dir.path, config, "jamm", true, std::time(nullptr) - 120);
        auto fresh_enough = replica_of(dir.path, config, "jamm", std::chrono::seconds(600));
        CHECK(fresh_enough->generation().is_found());
        auto directory = replica_of(dir.path, config, "jamm", std::chrono::seconds(60));
        every_row_defers(*directory);
    }
    SUBCASE("a store of another search_base") {
        TempDir dir;
        fill(dir.path, config, "jamm");
        Config other = config;
        other.search_base = "o=elsewhere,dc=example,dc=com";
        auto directory = replica_of(dir.path, other, "jamm");
        every_row_defers(*directory);
    }
    SUBCASE("a truncated data file") {
        TempDir dir;
        fill(dir.path, config, "jamm");
        REQUIRE(truncate((dir.path + "/data.mdb").c_str(), 8192) == 0);
        auto directory = replica_of(dir.path, config, "jamm");
        every_row_defers(*directory);
    }
    SUBCASE("a file that is no store") {
        TempDir dir;
        { std::ofstream(dir.path + "/data.mdb") << std::string(20000, 'x'); }
        auto directory = replica_of(dir.path, config, "jamm");
        every_row_defers(*directory);
    }
}

TEST_CASE("a change in the store reaches cached answers at once") {
    TempDir dir;
    Config config = test::example_config("jamm");
    config.cache.max_entries = 1000;
    config.cache.positive_ttl = std::chrono::hours(1);
    config.cache.negative_ttl = std::chrono::hours(1);
    fill(dir.path, config, "jamm");
    auto log = make_null_logger();
    auto service = Service::open(config, replica_of(dir.path, config, "jamm"), *log);
    CHECK(service->lookup(MapName::mailbox, "alice@example.org").is_found());
    CHECK(service->lookup(MapName::mailbox, "zed@example.org").is_not_found());

    StoreWriter store(dir.path, replica_scope(config).layout);
    Entry zed("mail=zed@example.org,jvd=example.org,o=hosting,dc=example,dc=com");
    for (const char* oc : {"top", "JammMailAccount"})
        zed.add("objectClass", oc);
    zed.add("mail", "zed@example.org");
    zed.add("mailbox", "example.org/zed/");
    zed.add("accountActive", "TRUE");
    zed.add("delete", "FALSE");
    auto batch = store.begin();
    batch.put(uuid_of(1000), zed);
    batch.commit();
    auto r = service->lookup(MapName::mailbox, "zed@example.org");
    REQUIRE(r.is_found());
    CHECK(r.value() == std::vector<std::string>{"example.org/zed/"});

    // Without a change, answers come from the cache: the store is not read for them.
    auto again = service->lookup(MapName::mailbox, "zed@example.org");
    CHECK(again.is_found());
}

TEST_CASE("a refresh leaves the store equal to what the provider sent") {
    TempDir dir;
    Config config = test::example_config("jamm");
    auto log = make_null_logger();
    StoreWriter store(dir.path, replica_scope(config).layout);
    Replicator replicator(store, *log, 2); // tiny batches: several commits per refresh
    auto entry = [](const std::string& local) {
        Entry e("mail=" + local + "@example.org,jvd=example.org,o=hosting,dc=example,dc=com");
        e.add("objectClass", "JammMailAccount");
        e.add("mail", local + "@example.org");
        return e;
    };

    // A full refresh: everything as "add", then the end of the present phase.
    replicator.refresh_begins("ldap://provider/");
    for (std::size_t i = 1; i <= 5; ++i)
        replicator.changed(uuid_of(i), entry("user" + std::to_string(i)));
    CHECK_FALSE(store.status().ready); // not before the refresh is complete
    replicator.present_phase_done();
    replicator.refresh_done(std::string("cookie-1"));
    CHECK(store.status().ready);
    CHECK(store.status().entries == 5);
    CHECK(store.cookie() == std::optional<std::string>("cookie-1"));

    // Resumed: 1 and 2 unchanged, 3 changed, 4 and 5 gone (not mentioned), 6 new.
    replicator.refresh_begins("ldap://provider/");
    replicator.present(uuid_of(1));
    replicator.present(uuid_of(2));
    replicator.changed(uuid_of(3), entry("renamed3"));
    replicator.changed(uuid_of(6), entry("user6"));
    replicator.present_phase_done();
    replicator.refresh_done(std::string("cookie-2"));
    CHECK(store.status().entries == 4);
    CHECK(replicator.last_refresh().changed == 2);
    CHECK(replicator.last_refresh().present == 2);
    CHECK(replicator.last_refresh().removed == 2);
    CHECK(store.cookie() == std::optional<std::string>("cookie-2"));

    // A delete phase removes only what it names.
    replicator.refresh_begins("ldap://provider/");
    replicator.removed(uuid_of(6));
    replicator.refresh_done(std::string("cookie-3"));
    CHECK(store.status().entries == 3);

    // Persist: each change is visible at once, with its cookie.
    std::uint64_t before = store.status().generation;
    replicator.changed(uuid_of(7), entry("user7"));
    CHECK(store.status().entries == 4);
    CHECK(store.status().generation > before);
    replicator.cookie("cookie-4");
    CHECK(store.cookie() == std::optional<std::string>("cookie-4"));
    CHECK(replicator.idle());
}

TEST_CASE("every present phase of a refresh removes what it does not mention") {
    // Found by the syncrepl fuzz harness: a second present phase removed nothing when the
    // store was empty at the start of the refresh, and nothing still in the open batch.
    auto entry = [](const std::string& local) {
        Entry e("mail=" + local + "@example.org,jvd=example.org,o=hosting,dc=example,dc=com");
        e.add("objectClass", "JammMailAccount");
        e.add("mail", local + "@example.org");
        return e;
    };
    struct Row {
        std::string name;
        bool start_empty;
    };
    for (const Row& row : {Row{"a store empty when the refresh began", true},
                           Row{"a store holding an entry, changes still in the batch", false}}) {
        CAPTURE(row.name);
        TempDir dir;
        Config config = test::example_config("jamm");
        auto log = make_null_logger();
        StoreWriter store(dir.path, replica_scope(config).layout);
        Replicator replicator(store, *log, 10000); // one batch for the whole refresh
        if (!row.start_empty) {
            replicator.refresh_begins("ldap://provider/");
            replicator.changed(uuid_of(9), entry("kept"));
            replicator.refresh_done(std::string("cookie-0"));
        }
        replicator.refresh_begins("ldap://provider/");
        replicator.present(uuid_of(9));
        replicator.changed(uuid_of(1), entry("first"));
        replicator.present_phase_done(); // 1 and 9 mentioned
        replicator.present(uuid_of(9));
        replicator.changed(uuid_of(2), entry("second"));
        replicator.present_phase_done(); // 1 not mentioned: gone
        replicator.refresh_done(std::string("cookie-1"));
        CHECK(store.status().entries == (row.start_empty ? 1u : 2u));
        auto uuids = store.uuids();
        CHECK(std::find(uuids.begin(), uuids.end(), uuid_of(1)) == uuids.end());
        CHECK(std::find(uuids.begin(), uuids.end(), uuid_of(2)) != uuids.end());
    }
}

namespace {

/// Writes down what it is told, and fails (as a store does) at call number `fail_at`.
struct RecordingTarget final : ldap::SyncTarget {
    std::vector<std::string> calls; ///< read once the pipeline is finished
    std::size_t fail_at = 0;
    std::mutex mutex;
    void note(std::string call) {
        std::lock_guard lock(mutex);
        if (fail_at != 0 && calls.size() + 1 == fail_at)
            throw StoreError("disk full");
        calls.push_back(std::move(call));
    }
    std::size_t size() {
        std::lock_guard lock(mutex);
        return calls.size();
    }
    void refresh_begins(const std::string& p) override { note("begins " + p); }
    void changed(const ldap::SyncUuid& u, Entry&& e) override { note(u + " " + e.dn()); }
    void present(const ldap::SyncUuid& u) override { note("present " + u); }
    void removed(const ldap::SyncUuid& u) override { note("removed " + u); }
    void present_phase_done() override { note("phase done"); }
    void refresh_done(const std::optional<std::string>& c) override {
        note("done " + c.value_or("-"));
    }
    void cookie(const std::string& c) override { note("cookie " + c); }
    bool idle() override {
        note("idle");
        return true;
    }
};

/// The calls of a refresh of `n` entries followed by one persisted change, made on `t`.
void refresh_and_change(ldap::SyncTarget& t, std::size_t n) {
    t.refresh_begins("ldap://provider/");
    for (std::size_t i = 0; i < n; ++i)
        t.changed("u" + std::to_string(i), Entry("cn=" + std::to_string(i)));
    t.present("p");
    t.removed("r");
    t.present_phase_done();
    t.refresh_done(std::string("c1"));
    t.changed("after", Entry("cn=after"));
    t.cookie("c2");
}

} // namespace

TEST_CASE("the writer thread applies every sync message in order, and hands back failures") {
    RecordingTarget direct;
    refresh_and_change(direct, 1000);
    CHECK(direct.calls.size() == 1007);

    SUBCASE("in order, with a bounded queue of small chunks") {
        RecordingTarget target;
        SyncPipeline pipeline(target, 3, 2);
        refresh_and_change(pipeline, 1000);
        CHECK(pipeline.idle());
        CHECK(target.calls.size() == direct.calls.size() + 1);
        target.calls.pop_back(); // "idle", called after everything before it was applied
        CHECK(target.calls == direct.calls);
    }
    SUBCASE("after the refresh, each message at once") {
        RecordingTarget target;
        SyncPipeline pipeline(target, 1000, 2);
        refresh_and_change(pipeline, 10);
        // Without finish(): the last messages were handed over alone, not kept for a chunk.
        for (int i = 0; i < 5000 && target.size() < 17; ++i)
            usleep(1000);
        REQUIRE(target.size() == 17);
        pipeline.finish();
        CHECK(target.calls.back() == "cookie c2");
    }
    SUBCASE("a failed write stops the writer and is thrown on the session's thread") {
        RecordingTarget target;
        target.fail_at = 500;
        SyncPipeline pipeline(target, 7, 2);
        CHECK_THROWS_AS(
            {
                refresh_and_change(pipeline, 1000);
                pipeline.finish();
            },
            StoreError);
        CHECK(target.calls.size() == 499); // nothing after the failure was applied
        pipeline.finish();                 // thrown once
    }
}

TEST_CASE("a store made for another layout is emptied, and one deleted is noticed") {
    TempDir dir;
    Config config = test::example_config("jamm");
    fill(dir.path, config, "jamm");
    {
        StoreWriter same(dir.path, replica_scope(config).layout);
        CHECK(same.rebuilt_because().empty());
        CHECK(same.status().entries > 0);
        CHECK(same.intact());
        std::filesystem::remove(dir.path + "/data.mdb");
        CHECK_FALSE(same.intact());
    }
    fill(dir.path, config, "jamm");
    Config compare = config;
    compare.auth.method = AuthMethod::compare; // the store must now hold passwords
    StoreWriter other(dir.path, replica_scope(compare).layout);
    CHECK_FALSE(other.rebuilt_because().empty());
    CHECK(other.status().entries == 0);
    CHECK_FALSE(other.status().ready);
    CHECK_FALSE(other.cookie());
}
