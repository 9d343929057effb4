// The replica's side of syncrepl (RFC 4533) without a server: what the provider's messages do
// to the LMDB store (replica/replicator.hpp over vmaildir/replica/store.hpp), and the records
// the store keeps (replica/record.hpp), which adapters decode from a file anyone with write
// access may have damaged.
// The whole input is first decoded as a record: garbage is refused (nullopt), never a crash,
// and whatever decodes re-encodes to a record that decodes to the same.  Then the input
// drives sync sessions (FuzzedDataProvider): each a refresh — entries changed, present,
// removed, present phases ended — completed with or without a cookie, then persisted changes
// and cookies; entries have DNs below o=fuzz that collide in case and 16-byte entryUUIDs
// from a small set.  Properties: every entry encodes and decodes to itself; after each
// session the store holds exactly the model's entryUUIDs, entries (read back through the
// adapters' StoreReader) and cookie, and is ready.  The model is SyncTarget's contract
// (vmaildir/ldap/sync.hpp): one entry per DN, and a present phase removes every entry neither
// present nor changed in it.
#include "fuzz.hpp"
#include "replica/record.hpp"
#include "replica/store_reader.hpp"
#include "replicator.hpp"
#include "vmaildir/replica/store.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <filesystem>
#include <fuzzer/FuzzedDataProvider.h>
#include <map>
#include <memory>
#include <set>
#include <signal.h>
#include <string>
#include <unistd.h>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::replica;

namespace {

const std::string base = "o=fuzz";

bool same(const Entry& a, const Entry& b) {
    if (a.dn() != b.dn() || a.attributes().size() != b.attributes().size())
        return false;
    for (std::size_t i = 0; i < a.attributes().size(); ++i)
        if (a.attributes()[i].name != b.attributes()[i].name ||
            a.attributes()[i].values != b.attributes()[i].values)
            return false;
    return true;
}

std::string ndn(const Entry& e) {
    return util::try_normalise_dn(e.dn()).value_or(util::ascii_lower(util::trim(e.dn())));
}

/// Where the stores live: in memory (/dev/shm) when there is such a directory, else below the
/// build tree.  Every refresh ends in a durable commit (an fdatasync), which on a disk shared
/// with builds was most of the harness's time (0.2 ms to tens of ms a session); in memory it
/// costs nothing, and what is checked here is content, never durability.
std::filesystem::path work_dir() {
    namespace fs = std::filesystem;
    std::error_code ec;
    if (fs::is_directory("/dev/shm", ec) && access("/dev/shm", W_OK) == 0)
        return fs::path("/dev/shm") / ("vmaildir-fuzz-" + std::to_string(getuid()));
    return VMAILDIR_FUZZ_WORK_DIR;
}

/// One store for the whole run, in a directory of this process below work_dir() (stale ones of
/// dead runs are removed first); emptied before every input.
struct Fixture {
    std::string dir;
    std::unique_ptr<Logger> log = make_null_logger();
    std::unique_ptr<StoreWriter> store;
    std::unique_ptr<StoreReader> reader;

    Fixture() {
        namespace fs = std::filesystem;
        fs::path work = work_dir();
        fs::create_directories(work);
        for (const auto& d : fs::directory_iterator(work)) {
            std::string name = d.path().filename().string();
            if (name.rfind("syncrepl-", 0) == 0 && kill(std::stoi(name.substr(9)), 0) != 0)
                fs::remove_all(d.path());
        }
        dir = (work / ("syncrepl-" + std::to_string(getpid()))).string();
        fs::remove_all(dir);
        StoreAccess access;
        access.map_size = std::size_t{256} << 20;
        store =
            std::make_unique<StoreWriter>(dir, StoreLayout{base, {"mail", "cn"}, false}, access);
        reader = std::make_unique<StoreReader>(dir, ReaderPolicy{base});
    }
    ~Fixture() {
        reader.reset();
        store.reset();
        std::filesystem::remove_all(dir);
    }
    void reset() {
        auto batch = store->begin();
        for (const Uuid& u : store->uuids())
            batch.remove(u);
        batch.clear_cookie();
        batch.set_ready(false);
        batch.commit(false);
    }
};

Fixture& fixture() {
    static Fixture f;
    return f;
}

/// SyncTarget's contract, over a map.
struct Model {
    std::map<Uuid, Entry> entries;
    std::map<Uuid, std::string> ndns; ///< of entries, each computed once
    std::optional<std::string> cookie;
    bool ready = false;
    bool refreshing = false;
    std::set<Uuid> mentioned; ///< in the current present phase

    void put(const Uuid& u, const Entry& e) {
        std::string n = ndn(e);
        std::erase_if(ndns, [&](const auto& kv) { return kv.first == u || kv.second == n; });
        std::erase_if(entries, [&](const auto& kv) { return !ndns.count(kv.first); });
        entries[u] = e;
        ndns[u] = std::move(n);
    }
    void changed(const Uuid& u, const Entry& e) {
        put(u, e);
        if (refreshing)
            mentioned.insert(u);
    }
    void present(const Uuid& u) {
        if (refreshing)
            mentioned.insert(u);
    }
    void removed(const Uuid& u) {
        entries.erase(u);
        ndns.erase(u);
    }
    void present_phase_done() {
        if (!refreshing)
            return;
        std::erase_if(entries, [&](const auto& kv) { return !mentioned.count(kv.first); });
        std::erase_if(ndns, [&](const auto& kv) { return !mentioned.count(kv.first); });
        mentioned.clear();
    }
    void refresh_done(const std::optional<std::string>& c) {
        if (c)
            cookie = c;
        ready = true;
        refreshing = false;
        mentioned.clear();
    }
};

Uuid uuid(FuzzedDataProvider& in) {
    Uuid u(16, '\x5a');
    u[15] = static_cast<char>(in.ConsumeIntegralInRange<int>(0, 7));
    return u;
}

Entry entry(FuzzedDataProvider& in) {
    // DNs that differ in case only name one entry; a blank or special in the value is escaped.
    static const char* const rdns[] = {"cn=", "CN=", "cn= "};
    std::string value = "u" + in.ConsumeRandomLengthString(6);
    if (in.ConsumeBool())
        value = util::ascii_lower(value);
    Entry e(rdns[in.ConsumeIntegralInRange<int>(0, 2)] + util::escape_dn_value(value) +
            (in.ConsumeBool() ? ",o=fuzz" : ",O=FUZZ"));
    static const char* const names[] = {"objectClass", "mail", "MAIL", "cn", "mailbox"};
    for (int i = in.ConsumeIntegralInRange<int>(0, 4); i > 0; --i) {
        std::string name = in.ConsumeBool() ? names[in.ConsumeIntegralInRange<int>(0, 4)]
                                            : "x" + in.ConsumeRandomLengthString(8);
        e.add(name, in.ConsumeRandomLengthString(16));
    }
    return e;
}

void check_store(Fixture& f, const Model& m) {
    std::vector<Uuid> stored = f.store->uuids();
    std::sort(stored.begin(), stored.end());
    std::vector<Uuid> expected;
    for (const auto& kv : m.entries)
        expected.push_back(kv.first);
    fuzz::require(stored == expected, "the store holds the model's entryUUIDs");
    StoreStatus s = f.store->status();
    fuzz::require(s.entries == m.entries.size(), "the store counts the model's entries");
    fuzz::require(s.ready == m.ready, "the store is ready as the model is");
    fuzz::require(f.store->cookie() == m.cookie, "the store holds the model's cookie");
    if (!m.ready)
        return;
    SearchRequest all;
    all.base = base;
    auto found = f.reader->search(all);
    fuzz::require(found.is_found(), "a ready, current store answers");
    std::map<std::string, Entry> by_dn;
    for (const Entry& e : found.value())
        by_dn.emplace(e.dn(), e);
    fuzz::require(by_dn.size() == found.value().size(), "every DN is stored once");
    fuzz::require(by_dn.size() == m.entries.size(), "the reader finds the model's entries");
    for (const auto& kv : m.entries) {
        auto it = by_dn.find(kv.second.dn());
        fuzz::require(it != by_dn.end() && same(it->second, kv.second),
                      "the reader reads back what was stored");
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    // A record read from a damaged store.
    if (auto r = decode_record(in)) {
        std::string again = encode_record(r->normalised_dn, r->entry);
        auto back = decode_record(again);
        fuzz::require(back && back->normalised_dn == r->normalised_dn &&
                          same(back->entry, r->entry),
                      "a decoded record re-encodes to itself");
        fuzz::require(again.size() <= in.size(), "re-encoding adds nothing");
    }

    FuzzedDataProvider fdp(data, size);
    Fixture& f = fixture();
    f.reset();
    Model model;
    Replicator replicator(*f.store, *f.log, fdp.ConsumeIntegralInRange<std::size_t>(1, 4));
    for (int session = 0; session < 4 && fdp.remaining_bytes() > 0; ++session) {
        replicator.refresh_begins("ldap://fuzz/");
        model.refreshing = true;
        model.mentioned.clear();
        bool phase = true;
        for (int op = 0; phase && op < 32 && fdp.remaining_bytes() > 0; ++op) {
            switch (fdp.ConsumeIntegralInRange<int>(0, 4)) {
            case 0: {
                Uuid u = uuid(fdp);
                Entry e = entry(fdp);
                std::string ndn_before = ndn(e);
                auto record = decode_record(encode_record(ndn_before, e));
                fuzz::require(record && record->normalised_dn == ndn_before &&
                                  same(record->entry, e),
                              "an entry encodes and decodes to itself");
                model.changed(u, e);
                replicator.changed(u, std::move(e));
                break;
            }
            case 1: {
                Uuid u = uuid(fdp);
                model.present(u);
                replicator.present(u);
                break;
            }
            case 2: {
                Uuid u = uuid(fdp);
                model.removed(u);
                replicator.removed(u);
                break;
            }
            case 3:
                model.present_phase_done();
                replicator.present_phase_done();
                break;
            default:
                phase = false;
            }
        }
        std::optional<std::string> cookie;
        if (fdp.ConsumeBool())
            cookie = "rid=001,csn=" + fdp.ConsumeRandomLengthString(12);
        model.refresh_done(cookie);
        replicator.refresh_done(cookie);
        check_store(f, model);
        // Persist: each message committed at once.
        bool persist = true;
        for (int op = 0; persist && op < 16 && fdp.remaining_bytes() > 0; ++op) {
            switch (fdp.ConsumeIntegralInRange<int>(0, 4)) {
            case 0: {
                Uuid u = uuid(fdp);
                Entry e = entry(fdp);
                model.changed(u, e);
                replicator.changed(u, std::move(e));
                break;
            }
            case 1: {
                Uuid u = uuid(fdp);
                model.removed(u);
                replicator.removed(u);
                break;
            }
            case 2: {
                std::string c = "rid=001,csn=" + fdp.ConsumeRandomLengthString(12);
                model.cookie = c;
                replicator.cookie(c);
                break;
            }
            case 3: // a present phase means nothing after the refresh
                model.present_phase_done();
                replicator.present_phase_done();
                break;
            default:
                persist = false;
            }
        }
        check_store(f, model);
    }
    return 0;
}
