// Reading the replica store (store_reader.hpp).
#include "replica/store_reader.hpp"

#include "replica/lmdb.hpp"
#include "replica/record.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmaildir::replica {

struct StoreReader::Env {
    MDB_env* env = nullptr;
    Dbis dbis;
    pid_t pid = 0; ///< the process that opened it: an LMDB environment does not survive fork()
    dev_t dev = 0;
    ino_t ino = 0;
    bool format_ok = false;
    StoreLayout layout;
    ~Env() {
        // In a child of the process that opened it, closing would touch the parent's reader
        // slots: leave it (the child opens its own).
        if (env && pid == getpid())
            mdb_env_close(env);
    }
};

namespace {

using Entries = Result<std::vector<Entry>>;

std::atomic<std::uint64_t> reader_ids{0};

/// One read transaction.
struct ReadTxn {
    MDB_txn* txn = nullptr;
    ~ReadTxn() {
        if (txn)
            mdb_txn_abort(txn);
    }
};

std::string data_file(const std::string& path) {
    return path + "/data.mdb";
}

/// The reason the store may not answer now, or empty.
std::string refusal(MDB_txn* txn, const Dbis& dbis, const std::string& path,
                    std::chrono::seconds max_stale, std::uint64_t& generation) {
    auto ready = get_meta(txn, dbis, meta::ready);
    if (!ready || *ready != "1")
        return "replica " + path + ": not filled yet (the first refresh has not completed)";
    auto synced = get_meta(txn, dbis, meta::synced_at);
    auto at = static_cast<std::int64_t>(synced ? decode_u64(*synced) : 0);
    std::int64_t age = static_cast<std::int64_t>(std::time(nullptr)) - at;
    if (age > max_stale.count())
        return "replica " + path + ": out of touch with its provider for " + std::to_string(age) +
               "s, more than replica_max_stale (" + std::to_string(max_stale.count()) + "s)";
    auto g = get_meta(txn, dbis, meta::generation);
    generation = g ? decode_u64(*g) : 0;
    return {};
}

bool is_indexed(const std::vector<std::string>& indexed, const std::string& attribute) {
    return std::any_of(indexed.begin(), indexed.end(),
                       [&](const std::string& a) { return util::iequals(a, attribute); });
}

/// The entryUUIDs the index offers for `filter`, or nullopt when it cannot narrow it down
/// (a scan is needed).  A superset: each candidate is checked against the whole filter.
/// `error`: set to LMDB's code when reading the index failed (other than running out of
/// duplicates), so that a damaged index is never read as "no such entry".
std::optional<std::vector<Uuid>> candidates(MDB_txn* txn, const Dbis& dbis,
                                            const std::vector<std::string>& indexed,
                                            const Filter& filter, int& error) {
    switch (filter.kind()) {
    case Filter::Kind::equals: {
        if (!is_indexed(indexed, filter.attribute()))
            return std::nullopt;
        std::vector<Uuid> out;
        std::string key = index_key(filter.attribute(), filter.value());
        MDB_cursor* cursor = nullptr;
        if (int rc = mdb_cursor_open(txn, dbis.index, &cursor); rc != MDB_SUCCESS) {
            error = rc;
            return std::nullopt;
        }
        MDB_val k = as_val(key), v{};
        int rc = mdb_cursor_get(cursor, &k, &v, MDB_SET);
        for (; rc == MDB_SUCCESS; rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT_DUP))
            out.emplace_back(as_view(v));
        mdb_cursor_close(cursor);
        if (rc != MDB_NOTFOUND)
            error = rc;
        return out;
    }
    case Filter::Kind::all_of: {
        std::optional<std::vector<Uuid>> best;
        for (const Filter& f : filter.operands())
            if (auto c = candidates(txn, dbis, indexed, f, error);
                c && (!best || c->size() < best->size()))
                best = std::move(c);
        return best;
    }
    case Filter::Kind::any_of: {
        std::vector<Uuid> out;
        for (const Filter& f : filter.operands()) {
            auto c = candidates(txn, dbis, indexed, f, error);
            if (!c)
                return std::nullopt;
            out.insert(out.end(), c->begin(), c->end());
        }
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }
    default:
        return std::nullopt;
    }
}

std::size_t depth(std::string_view normalised_dn) {
    auto rdns = util::parse_dn(normalised_dn);
    return rdns ? rdns->size() : 0;
}

} // namespace

StoreReader::StoreReader(std::string path, ReaderPolicy policy)
    : path_(std::move(path)), policy_(std::move(policy)), id_(++reader_ids) {}
StoreReader::~StoreReader() = default;

namespace {

/// Whether `env` maps the file at `st` (the path's data file), and that file is still linked
/// (an inode number can be reused once a deleted store is gone).
bool maps(const StoreReader::Env& env, const struct stat& st) {
    mdb_filehandle_t fd = -1;
    struct stat mapped {};
    return env.pid == getpid() && env.dev == st.st_dev && env.ino == st.st_ino &&
           mdb_env_get_fd(env.env, &fd) == MDB_SUCCESS && fstat(fd, &mapped) == 0 &&
           mapped.st_nlink > 0;
}

/// The process's one environment for the data file `st`: LMDB forbids opening one file twice
/// in a process (its reader slots are per process), and a reloading daemon holds two
/// Services for a while.
Result<std::shared_ptr<StoreReader::Env>> shared_env(const std::string& path,
                                                     const struct stat& st) {
    using R = Result<std::shared_ptr<StoreReader::Env>>;
    static std::mutex mutex;
    static std::vector<std::weak_ptr<StoreReader::Env>> open;
    std::lock_guard lock(mutex);
    std::erase_if(open, [](const auto& w) { return w.expired(); });
    for (const auto& w : open)
        if (auto e = w.lock(); e && maps(*e, st))
            return R::found(std::move(e));

    auto e = std::make_shared<StoreReader::Env>();
    e->pid = getpid();
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    auto fail = [&](const std::string& what, int rc) {
        return R::temp_fail("replica " + path + ": " + what + ": " + mdb_strerror(rc));
    };
    int rc = mdb_env_create(&e->env);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_set_maxdbs(e->env, 5);
    if (rc == MDB_SUCCESS)
        rc = mdb_env_set_maxreaders(e->env, 4096);
    // No map size of its own: LMDB then maps what the writer configured.
    if (rc == MDB_SUCCESS)
        rc = mdb_env_open(e->env, path.c_str(), MDB_RDONLY | MDB_NORDAHEAD, 0);
    if (rc != MDB_SUCCESS)
        return fail("cannot open the store", rc);
    if (!data_file_whole(e->env))
        return R::temp_fail("replica " + path + ": data.mdb is truncated");
    ReadTxn t;
    rc = mdb_txn_begin(e->env, nullptr, MDB_RDONLY, &t.txn);
    if (rc == MDB_SUCCESS)
        rc = open_dbis(t.txn, false, e->dbis);
    if (rc != MDB_SUCCESS)
        return fail("not a vmaildir replica store", rc);
    auto format = get_meta(t.txn, e->dbis, meta::format);
    e->format_ok = format && *format == store_format;
    e->layout = read_status(t.txn, e->dbis).layout;
    // Database handles opened in a read transaction stay valid once it commits.
    rc = mdb_txn_commit(t.txn);
    t.txn = nullptr;
    if (rc != MDB_SUCCESS)
        return fail("mdb_txn_commit", rc);
    open.push_back(e);
    return R::found(std::move(e));
}

} // namespace

namespace {

/// Bumped in every child a fork() makes: an environment opened before it is not the child's.
std::atomic<unsigned> forks{0};
void count_fork() {
    forks.fetch_add(1, std::memory_order_relaxed);
}

} // namespace

Result<std::shared_ptr<StoreReader::Env>> StoreReader::env() {
    std::lock_guard lock(mutex_);
    return env_locked();
}

Result<std::shared_ptr<StoreReader::Env>> StoreReader::env_locked() {
    using R = Result<std::shared_ptr<Env>>;
    static const bool registered = pthread_atfork(nullptr, nullptr, count_fork) == 0;
    (void)registered;
    auto now = Clock::now();
    // Between identity checks (once a second) nothing but a clock read and an atomic load:
    // this runs for every question, cached answers included.
    if (env_ && env_forks_ == forks.load(std::memory_order_relaxed) && now < next_identity_check_)
        return problem_.empty() ? R::found(env_) : R::temp_fail(problem_);
    struct stat st {};
    if (stat(data_file(path_).c_str(), &st) != 0) {
        env_.reset();
        return R::temp_fail("replica " + path_ + ": no store (" + std::strerror(errno) +
                            "; is vmaildir-replica running?)");
    }
    next_identity_check_ = now + std::chrono::seconds(1);
    if (!env_ || !maps(*env_, st)) {
        // First use in this process, or the daemon made a new store.
        env_.reset();
        cached_txnid_ = 0;
        auto opened = shared_env(path_, st);
        if (!opened.is_found())
            return opened;
        env_ = std::move(opened).value();
        env_forks_ = forks.load(std::memory_order_relaxed);
        const StoreLayout& layout = env_->layout;
        problem_.clear();
        if (!env_->format_ok)
            problem_ = "replica " + path_ + ": not a store of this version of vmaildir";
        else if (util::normalise_dn(layout.base) != util::normalise_dn(policy_.base))
            problem_ = "replica " + path_ + ": it copies " + layout.base + ", not search_base " +
                       policy_.base;
        else if (policy_.passwords && !layout.passwords)
            problem_ = "replica " + path_ +
                       ": it holds no passwords, but auth_method = compare needs them (restart "
                       "vmaildir-replica with this configuration)";
    }
    // Once a second, not for every question: a file truncated meanwhile is a risk an
    // administrator takes by hand (the daemon never truncates).
    if (!data_file_whole(env_->env)) {
        env_.reset();
        return R::temp_fail("replica " + path_ + ": data.mdb is truncated");
    }
    return problem_.empty() ? R::found(env_) : R::temp_fail(problem_);
}

namespace {

/// The last answer of StoreReader::generation() in this thread, for the reader `reader`:
/// valid until `until` (the reader's next identity check) while LMDB's last transaction id
/// stays.  Per thread, so that the question every answer asks takes no lock and writes no
/// memory another thread reads.
struct LastGeneration {
    std::uint64_t reader = 0;
    std::shared_ptr<StoreReader::Env> env; ///< keeps `mdb` open
    MDB_env* mdb = nullptr;
    unsigned forks = 0;
    Clock::time_point until{};
    std::uint64_t txnid = 0;
    std::uint64_t generation = 0;
    std::int64_t synced_at = 0;
};
thread_local LastGeneration last_generation;

} // namespace

Result<std::uint64_t> StoreReader::generation() {
    using R = Result<std::uint64_t>;
    LastGeneration& last = last_generation;
    if (last.reader == id_ && last.forks == forks.load(std::memory_order_relaxed) &&
        Clock::now() < last.until) {
        MDB_envinfo info{};
        mdb_env_info(last.mdb, &info);
        if (info.me_last_txnid == last.txnid &&
            static_cast<std::int64_t>(std::time(nullptr)) - last.synced_at <=
                policy_.max_stale.count())
            return R::found(last.generation);
    }
    std::lock_guard lock(mutex_);
    auto answer = generation_locked();
    if (answer.is_found() && env_) {
        last.reader = id_;
        last.env = env_;
        last.mdb = env_->env;
        last.forks = env_forks_;
        last.until = next_identity_check_;
        last.txnid = cached_txnid_;
        last.generation = cached_generation_;
        last.synced_at = cached_synced_at_;
    } else {
        last = {};
    }
    return answer;
}

Result<std::uint64_t> StoreReader::generation_locked() {
    using R = Result<std::uint64_t>;
    auto e = env_locked();
    if (!e.is_found())
        return R::failure_of(e);
    const Env& env = *e.value();
    // LMDB's last transaction id, read from the map without a transaction: while it has not
    // moved, neither has the generation (the daemon writes about once a second even when
    // nothing changes, so staleness is still noticed).
    MDB_envinfo info{};
    mdb_env_info(env.env, &info);
    if (cached_txnid_ != 0 && info.me_last_txnid == cached_txnid_) {
        auto age = static_cast<std::int64_t>(std::time(nullptr)) - cached_synced_at_;
        if (!cached_refusal_.empty())
            return R::temp_fail(cached_refusal_);
        if (age <= policy_.max_stale.count())
            return R::found(cached_generation_);
    }
    ReadTxn t;
    int rc = mdb_txn_begin(env.env, nullptr, MDB_RDONLY, &t.txn);
    if (rc != MDB_SUCCESS)
        return R::temp_fail("replica " + path_ + ": mdb_txn_begin: " + mdb_strerror(rc));
    std::uint64_t generation = 0;
    std::string refused = refusal(t.txn, env.dbis, path_, policy_.max_stale, generation);
    auto synced = get_meta(t.txn, env.dbis, meta::synced_at);
    cached_txnid_ = info.me_last_txnid; // read before the transaction: never newer than it
    cached_generation_ = generation;
    cached_synced_at_ = static_cast<std::int64_t>(synced ? decode_u64(*synced) : 0);
    cached_refusal_ = refused;
    if (!refused.empty())
        return R::temp_fail(refused);
    return R::found(generation);
}

Entries StoreReader::search(const SearchRequest& request) {
    auto e = env();
    if (!e.is_found())
        return Entries::failure_of(e);
    const Env& env = *e.value();

    auto base = util::try_normalise_dn(request.base);
    if (!base) // slapd: invalidDNSyntax
        return Entries::temp_fail("invalid DN syntax: " + util::printable(request.base));
    std::string store_base = util::normalise_dn(policy_.base);
    if (!util::normalised_within(*base, store_base))
        return Entries::temp_fail("replica " + path_ + ": " + util::printable(request.base) +
                                  " lies outside the replicated subtree " + policy_.base);

    ReadTxn t;
    int rc = mdb_txn_begin(env.env, nullptr, MDB_RDONLY, &t.txn);
    if (rc != MDB_SUCCESS)
        return Entries::temp_fail("replica " + path_ + ": mdb_txn_begin: " + mdb_strerror(rc));
    std::uint64_t generation = 0;
    std::string refused = refusal(t.txn, env.dbis, path_, policy_.max_stale, generation);
    if (!refused.empty())
        return Entries::temp_fail(refused);

    auto damaged = [&] {
        return Entries::temp_fail("replica " + path_ + ": a damaged record");
    };
    auto record = [&](const Uuid& uuid) -> std::optional<StoredEntry> {
        MDB_val k = as_val(uuid), v{};
        if (mdb_get(t.txn, env.dbis.entries, &k, &v) != MDB_SUCCESS)
            return std::nullopt;
        return decode_record(as_view(v));
    };

    // The base must exist, as slapd's noSuchObject says (the replicated base always does).
    if (*base != store_base) {
        MDB_val k = as_val(*base), v{};
        if (int got = mdb_get(t.txn, env.dbis.dns, &k, &v); got != MDB_SUCCESS) {
            if (got != MDB_NOTFOUND)
                return Entries::temp_fail("replica " + path_ + ": reading the DN table: " +
                                          mdb_strerror(got));
            if (request.base_may_be_missing)
                return Entries::found({});
            return Entries::temp_fail("no such object: " + util::printable(request.base));
        }
    }

    std::vector<Entry> out;
    std::size_t base_depth = request.scope == Scope::one_level ? depth(*base) : 0;
    // False when the size limit is exceeded.
    auto consider = [&](StoredEntry& stored) {
        const std::string& dn = stored.normalised_dn;
        bool in_scope = request.scope == Scope::base
                            ? dn == *base
                            : util::normalised_within(dn, *base) &&
                                  (request.scope == Scope::subtree || depth(dn) == base_depth + 1);
        if (!in_scope || !request.filter.matches(stored.entry))
            return true;
        if (request.size_limit != 0 && out.size() == request.size_limit)
            return false;
        out.push_back(stored.entry.selected(request.attributes));
        return true;
    };
    auto too_many = [&] {
        return Entries::temp_fail("size limit exceeded: more than " +
                                  std::to_string(request.size_limit) + " entries below " +
                                  util::printable(request.base) + " match " +
                                  request.filter.to_string());
    };

    // LMDB errors other than "not there" (a damaged page, say) are trouble, never an
    // empty answer.
    auto unreadable = [&](const char* what, int code) {
        return Entries::temp_fail("replica " + path_ + ": " + what + ": " + mdb_strerror(code));
    };
    std::optional<std::vector<Uuid>> uuids;
    if (request.scope == Scope::base) {
        MDB_val k = as_val(*base), v{};
        uuids.emplace();
        if (int got = mdb_get(t.txn, env.dbis.dns, &k, &v); got == MDB_SUCCESS)
            uuids->emplace_back(as_view(v));
        else if (got != MDB_NOTFOUND)
            return unreadable("reading the DN table", got);
    } else {
        int error = MDB_SUCCESS;
        uuids = candidates(t.txn, env.dbis, env.layout.indexed, request.filter, error);
        if (error != MDB_SUCCESS)
            return unreadable("reading the index", error);
    }
    if (uuids) {
        for (const Uuid& uuid : *uuids) {
            auto stored = record(uuid);
            if (!stored)
                return damaged();
            if (!consider(*stored))
                return too_many();
        }
        return Entries::found(std::move(out));
    }

    MDB_cursor* cursor = nullptr;
    if (mdb_cursor_open(t.txn, env.dbis.entries, &cursor) != MDB_SUCCESS)
        return Entries::temp_fail("replica " + path_ + ": mdb_cursor_open failed");
    MDB_val k{}, v{};
    for (rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT)) {
        auto stored = decode_record(as_view(v));
        if (!stored || !consider(*stored)) {
            mdb_cursor_close(cursor);
            return stored ? too_many() : damaged();
        }
    }
    mdb_cursor_close(cursor);
    if (rc != MDB_NOTFOUND)
        return unreadable("scanning the entries", rc);
    return Entries::found(std::move(out));
}

namespace {

/// One read transaction on this process's environment of the store at `path`.
struct Snapshot {
    std::shared_ptr<StoreReader::Env> env;
    ReadTxn txn; // destroyed before env
};

Result<std::unique_ptr<Snapshot>> snapshot(const std::string& path) {
    using R = Result<std::unique_ptr<Snapshot>>;
    struct stat st {};
    if (stat(data_file(path).c_str(), &st) != 0)
        return R::temp_fail("replica " + path + ": no store (" + std::strerror(errno) + ")");
    auto env = shared_env(path, st);
    if (!env.is_found())
        return R::failure_of(env);
    auto s = std::make_unique<Snapshot>();
    s->env = std::move(env).value();
    int rc = mdb_txn_begin(s->env->env, nullptr, MDB_RDONLY, &s->txn.txn);
    if (rc != MDB_SUCCESS)
        return R::temp_fail("replica " + path + ": mdb_txn_begin: " + mdb_strerror(rc));
    return R::found(std::move(s));
}

} // namespace

Result<StoreStatus> read_store_status(const std::string& path) {
    auto s = snapshot(path);
    if (!s.is_found())
        return Result<StoreStatus>::failure_of(s);
    return Result<StoreStatus>::found(read_status(s.value()->txn.txn, s.value()->env->dbis));
}

Result<StoreChanges> read_changes(const std::string& path, std::uint64_t since) {
    using R = Result<StoreChanges>;
    auto snap = snapshot(path);
    if (!snap.is_found())
        return R::failure_of(snap);
    const StoreReader::Env& e = *snap.value()->env;
    ReadTxn& t = snap.value()->txn;
    int rc = MDB_SUCCESS;
    StoreChanges out;
    auto g = get_meta(t.txn, e.dbis, meta::generation);
    out.generation = g ? decode_u64(*g) : 0;
    if (since > out.generation) { // another store: it started again from 1
        out.complete = false;
        return R::found(std::move(out));
    }
    MDB_cursor* cursor = nullptr;
    if (mdb_cursor_open(t.txn, e.dbis.changes, &cursor) != MDB_SUCCESS)
        return R::temp_fail("replica " + path + ": mdb_cursor_open failed");
    std::string first = generation_key(since + 1);
    MDB_val k = as_val(first), v{};
    std::uint64_t expected = since + 1;
    for (rc = mdb_cursor_get(cursor, &k, &v, MDB_SET_RANGE);
         rc == MDB_SUCCESS && expected <= out.generation;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT), ++expected) {
        if (as_view(k) != generation_key(expected))
            break; // a generation without its record: the store was rebuilt in between
        std::string_view feed = as_view(v);
        if (feed.substr(0, bulk_feed.size()) == bulk_feed)
            break; // a refresh: too much to list, the follower starts again
        while (feed.size() >= 4) {
            std::size_t n = decode_u64(feed.substr(0, 4));
            if (feed.size() < 4 + n)
                break;
            std::string_view key = feed.substr(4, n);
            auto nul = key.find('\0');
            if (nul != std::string_view::npos)
                out.keys.emplace_back(std::string(key.substr(0, nul)),
                                      std::string(key.substr(nul + 1)));
            feed.remove_prefix(4 + n);
        }
    }
    mdb_cursor_close(cursor);
    out.complete = expected == out.generation + 1;
    if (!out.complete)
        out.keys.clear();
    return R::found(std::move(out));
}

} // namespace vmaildir::replica
