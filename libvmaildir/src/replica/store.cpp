// The replica store's writer (vmaildir/replica/store.hpp).
#include "vmaildir/replica/store.hpp"

#include "replica/lmdb.hpp"
#include "replica/record.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

namespace vmaildir::replica {

struct StoreWriter::Env {
    MDB_env* env = nullptr;
    Dbis dbis;
    dev_t dev = 0;
    ino_t ino = 0;
    void* map = nullptr; ///< LMDB's mapping of data.mdb (mdb_env_info() only knows a fixed one)
    std::size_t map_length = 0;
    ~Env() {
        if (env)
            mdb_env_close(env);
    }
};

struct StoreWriter::Batch::Txn {
    MDB_txn* txn = nullptr;
    ~Txn() {
        if (txn)
            mdb_txn_abort(txn);
    }
};

namespace {

std::string data_file(const std::string& path) {
    return path + "/data.mdb";
}

void make_directory(const std::string& path, const StoreAccess& access) {
    if (mkdir(path.c_str(), access.group ? 0750 : 0700) != 0 && errno != EEXIST)
        throw StoreError(path + ": cannot create the store directory: " + std::strerror(errno));
    struct stat st {};
    if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        throw StoreError(path + ": not a directory");
    if (access.group && (chown(path.c_str(), static_cast<uid_t>(-1), *access.group) != 0 ||
                         chmod(path.c_str(), 0750) != 0))
        throw StoreError(path +
                         ": cannot give the store directory to its group: " + std::strerror(errno));
}

void share_files(const std::string& path, const StoreAccess& access) {
    for (auto [name, mode] : {std::pair{"/data.mdb", 0640}, std::pair{"/lock.mdb", 0660}}) {
        std::string file = path + name;
        if (!access.group) {
            chmod(file.c_str(), mode & 0600);
            continue;
        }
        if (chown(file.c_str(), static_cast<uid_t>(-1), *access.group) != 0 ||
            chmod(file.c_str(), static_cast<mode_t>(mode)) != 0)
            throw StoreError(file +
                             ": cannot give it to the store's group: " + std::strerror(errno));
    }
}

void put_meta(MDB_txn* txn, const Dbis& dbis, std::string_view key, std::string_view value,
              const std::string& path) {
    MDB_val k = as_val(key), v = as_val(value);
    check_mdb(mdb_put(txn, dbis.meta, &k, &v, 0), path, "writing meta");
}

/// The largest mapping of the file `st` in /proc/self/maps (LMDB's map of data.mdb).
void find_mapping(const struct stat& st, void*& map, std::size_t& length) {
    std::ifstream maps("/proc/self/maps");
    std::string line;
    while (std::getline(maps, line)) {
        unsigned long begin = 0, end = 0, offset = 0, inode = 0;
        unsigned major = 0, minor = 0;
        char perms[5] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %4s %lx %x:%x %lu", &begin, &end, perms, &offset,
                        &major, &minor, &inode) != 7)
            continue;
        if (inode == st.st_ino && makedev(major, minor) == st.st_dev && end - begin > length) {
            map = reinterpret_cast<void*>(begin);
            length = end - begin;
        }
    }
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ",") + util::ascii_lower(n);
    return out;
}

} // namespace

StoreWriter::StoreWriter(std::string path, StoreLayout layout, StoreAccess access)
    : path_(std::move(path)), layout_(std::move(layout)), access_(access) {
    make_directory(path_, access_);
    try {
        open_fresh();
    } catch (const StoreError& e) {
        // Damaged beyond opening (MDB_INVALID, a truncated file): start again from nothing —
        // but only files this process may rewrite anyway, never for want of permission.
        if (::access(data_file(path_).c_str(), R_OK | W_OK) != 0)
            throw;
        rebuilt_because_ = e.what();
        env_.reset();
        unlink(data_file(path_).c_str());
        unlink((path_ + "/lock.mdb").c_str());
        open_fresh();
    }
}

StoreWriter::~StoreWriter() = default;

void StoreWriter::open_fresh() {
    auto e = std::make_unique<Env>();
    check_mdb(mdb_env_create(&e->env), path_, "mdb_env_create");
    check_mdb(mdb_env_set_maxdbs(e->env, 5), path_, "mdb_env_set_maxdbs");
    check_mdb(mdb_env_set_mapsize(e->env, access_.map_size), path_, "mdb_env_set_mapsize");
    // authdaemond's workers, Postfix's and Exim's processes, every thread of the daemons.
    check_mdb(mdb_env_set_maxreaders(e->env, 4096), path_, "mdb_env_set_maxreaders");
    // Durability is asked for per commit (Batch::commit): heartbeats need none.
    check_mdb(mdb_env_open(e->env, path_.c_str(), MDB_NOSYNC | MDB_NORDAHEAD, 0600), path_,
              "opening the store");
    if (!data_file_whole(e->env))
        throw StoreError(path_ + ": data.mdb is shorter than the pages it uses (truncated)");
    struct stat st {};
    if (stat(data_file(path_).c_str(), &st) != 0)
        throw StoreError(path_ + ": data.mdb: " + std::strerror(errno));
    e->dev = st.st_dev;
    e->ino = st.st_ino;
    find_mapping(st, e->map, e->map_length);
    share_files(path_, access_);

    MDB_txn* txn = nullptr;
    check_mdb(mdb_txn_begin(e->env, nullptr, 0, &txn), path_, "mdb_txn_begin");
    Batch::Txn owner{txn};
    check_mdb(open_dbis(txn, true, e->dbis), path_, "opening the databases");
    StoreStatus old = read_status(txn, e->dbis);
    auto format = get_meta(txn, e->dbis, meta::format);
    std::string why;
    if (format && *format != store_format)
        why = "it has another format (" + util::printable(*format) + ")";
    else if (format && util::normalise_dn(old.layout.base) != util::normalise_dn(layout_.base))
        why = "it copies another base (" + old.layout.base + ")";
    else if (format && joined(old.layout.indexed) != joined(layout_.indexed))
        why = "it has other indexes (" + joined(old.layout.indexed) + ")";
    else if (format && old.layout.passwords != layout_.passwords)
        why = old.layout.passwords ? "it holds passwords, which auth_method = bind does not need"
                                   : "it holds no passwords, which auth_method = compare needs";
    if (!why.empty()) {
        for (MDB_dbi dbi :
             {e->dbis.entries, e->dbis.dns, e->dbis.index, e->dbis.meta, e->dbis.changes})
            check_mdb(mdb_drop(txn, dbi, 0), path_, "emptying the store");
        rebuilt_because_ = why;
    }
    if (!format || !why.empty()) {
        put_meta(txn, e->dbis, meta::format, store_format, path_);
        put_meta(txn, e->dbis, meta::base, layout_.base, path_);
        put_meta(txn, e->dbis, meta::indexed, joined(layout_.indexed), path_);
        put_meta(txn, e->dbis, meta::passwords, layout_.passwords ? "1" : "0", path_);
        put_meta(txn, e->dbis, meta::ready, "0", path_);
        // Readers cache answers by generation: never reuse one an emptied store had.
        put_meta(txn, e->dbis, meta::generation, encode_u64(old.generation + 1), path_);
    }
    owner.txn = nullptr;
    check_mdb(mdb_txn_commit(txn), path_, "mdb_txn_commit");
    check_mdb(mdb_env_sync(e->env, 1), path_, "mdb_env_sync");
    env_ = std::move(e);
}

const std::string& StoreWriter::path() const noexcept {
    return path_;
}
const std::string& StoreWriter::rebuilt_because() const noexcept {
    return rebuilt_because_;
}

StoreStatus StoreWriter::status() const {
    MDB_txn* txn = nullptr;
    check_mdb(mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn), path_, "mdb_txn_begin");
    Batch::Txn owner{txn};
    return read_status(txn, env_->dbis);
}

std::optional<std::string> StoreWriter::cookie() const {
    MDB_txn* txn = nullptr;
    check_mdb(mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn), path_, "mdb_txn_begin");
    Batch::Txn owner{txn};
    auto v = get_meta(txn, env_->dbis, meta::cookie);
    return v ? std::optional<std::string>(std::string(*v)) : std::nullopt;
}

StoreWriter::Batch StoreWriter::begin() {
    auto t = std::make_unique<Batch::Txn>();
    check_mdb(mdb_txn_begin(env_->env, nullptr, 0, &t->txn), path_, "mdb_txn_begin");
    return Batch(*this, std::move(t));
}

StoreWriter::Batch::Batch(StoreWriter& store, std::unique_ptr<Txn> txn)
    : store_(store), txn_(std::move(txn)) {}
StoreWriter::Batch::Batch(Batch&&) noexcept = default;
StoreWriter::Batch::~Batch() = default;

bool StoreWriter::Batch::contains(const Uuid& uuid) const {
    MDB_val k = as_val(uuid), v{};
    return mdb_get(txn_->txn, store_.env_->dbis.entries, &k, &v) == MDB_SUCCESS;
}

bool StoreWriter::Batch::remove(const Uuid& uuid) {
    const Dbis& d = store_.env_->dbis;
    const std::string& path = store_.path_;
    MDB_txn* txn = txn_->txn;
    MDB_val k = as_val(uuid), v{};
    int rc = mdb_get(txn, d.entries, &k, &v);
    if (rc == MDB_NOTFOUND)
        return false;
    check_mdb(rc, path, "reading an entry");
    if (auto old = decode_record(as_view(v))) {
        for (const std::string& key : index_keys(old->entry, store_.layout_.indexed)) {
            if (!bulk_)
                touched_.push_back(key);
            MDB_val ik = as_val(key), iv = as_val(uuid);
            rc = mdb_del(txn, d.index, &ik, &iv);
            if (rc != MDB_NOTFOUND)
                check_mdb(rc, path, "removing an index key");
        }
        MDB_val dk = as_val(old->normalised_dn), dv{};
        if (mdb_get(txn, d.dns, &dk, &dv) == MDB_SUCCESS && as_view(dv) == uuid)
            check_mdb(mdb_del(txn, d.dns, &dk, nullptr), path, "removing a DN");
    }
    check_mdb(mdb_del(txn, d.entries, &k, nullptr), path, "removing an entry");
    ++changes_;
    return true;
}

void StoreWriter::Batch::put(const Uuid& uuid, const Entry& entry) {
    const Dbis& d = store_.env_->dbis;
    const std::string& path = store_.path_;
    MDB_txn* txn = txn_->txn;
    remove(uuid);
    std::string ndn =
        util::try_normalise_dn(entry.dn()).value_or(util::ascii_lower(util::trim(entry.dn())));
    // One entry per DN: an entry re-created under a new entryUUID replaces the old one even if
    // its delete never reached us.
    MDB_val dk = as_val(ndn), dv{};
    if (mdb_get(txn, d.dns, &dk, &dv) == MDB_SUCCESS) {
        Uuid other(as_view(dv));
        if (other != uuid)
            remove(other);
    }
    std::string record = encode_record(ndn, entry);
    MDB_val k = as_val(uuid), v = as_val(record);
    check_mdb(mdb_put(txn, d.entries, &k, &v, 0), path, "storing an entry");
    MDB_val dk2 = as_val(ndn), dv2 = as_val(uuid);
    check_mdb(mdb_put(txn, d.dns, &dk2, &dv2, 0), path, "storing a DN");
    for (const std::string& key : index_keys(entry, store_.layout_.indexed)) {
        if (!bulk_)
            touched_.push_back(key);
        MDB_val ik = as_val(key), iv = as_val(uuid);
        int rc = mdb_put(txn, d.index, &ik, &iv, MDB_NODUPDATA);
        if (rc != MDB_KEYEXIST)
            check_mdb(rc, path, "storing an index key");
    }
    ++changes_;
}

void StoreWriter::Batch::set_cookie(const std::string& cookie) {
    put_meta(txn_->txn, store_.env_->dbis, meta::cookie, cookie, store_.path_);
}

void StoreWriter::Batch::clear_cookie() {
    MDB_val k = as_val(meta::cookie);
    int rc = mdb_del(txn_->txn, store_.env_->dbis.meta, &k, nullptr);
    if (rc != MDB_NOTFOUND)
        check_mdb(rc, store_.path_, "removing the cookie");
}

void StoreWriter::Batch::set_ready(bool ready) {
    put_meta(txn_->txn, store_.env_->dbis, meta::ready, ready ? "1" : "0", store_.path_);
}

void StoreWriter::Batch::touch(std::int64_t now, const std::string& provider) {
    put_meta(txn_->txn, store_.env_->dbis, meta::synced_at,
             encode_u64(static_cast<std::uint64_t>(now)), store_.path_);
    put_meta(txn_->txn, store_.env_->dbis, meta::provider, provider, store_.path_);
}

void StoreWriter::Batch::commit(bool durable) {
    MDB_txn* txn = txn_->txn;
    const Dbis& d = store_.env_->dbis;
    if (changes_ > 0) {
        auto g = get_meta(txn, d, meta::generation);
        std::uint64_t generation = (g ? decode_u64(*g) : 0) + 1;
        put_meta(txn, d, meta::generation, encode_u64(generation), store_.path_);
        // The change feed: the index keys this generation touched, old values and new.
        std::sort(touched_.begin(), touched_.end());
        touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
        std::string feed = bulk_ ? std::string(bulk_feed) : std::string();
        for (const std::string& key : touched_)
            feed += encode_u64(key.size()).substr(0, 4) + key;
        std::string k = generation_key(generation);
        MDB_val fk = as_val(k), fv = as_val(feed);
        check_mdb(mdb_put(txn, d.changes, &fk, &fv, 0), store_.path_, "writing the change feed");
        if (generation > kept_changes) {
            std::string old_key = generation_key(generation - kept_changes);
            MDB_val ok = as_val(old_key);
            int rc = mdb_del(txn, d.changes, &ok, nullptr);
            if (rc != MDB_NOTFOUND)
                check_mdb(rc, store_.path_, "trimming the change feed");
        }
    }
    txn_->txn = nullptr;
    check_mdb(mdb_txn_commit(txn), store_.path_, "mdb_txn_commit");
    if (durable)
        check_mdb(mdb_env_sync(store_.env_->env, 1), store_.path_, "mdb_env_sync");
    if ((bulk_ || durable) && store_.env_->map) {
        // A refresh reads the whole tree through the map, and changes over hours reach much
        // of it: give the pages back after each refresh batch and each flush to disk (about
        // once a second; they stay in the page cache), or the daemon's resident size grows
        // to the size of the store.
        madvise(store_.env_->map, store_.env_->map_length, MADV_DONTNEED);
    }
}

std::vector<Uuid> StoreWriter::uuids() const {
    MDB_txn* txn = nullptr;
    check_mdb(mdb_txn_begin(env_->env, nullptr, MDB_RDONLY, &txn), path_, "mdb_txn_begin");
    Batch::Txn owner{txn};
    MDB_cursor* cursor = nullptr;
    check_mdb(mdb_cursor_open(txn, env_->dbis.entries, &cursor), path_, "mdb_cursor_open");
    std::vector<Uuid> out;
    MDB_val k{}, v{};
    for (int rc = mdb_cursor_get(cursor, &k, &v, MDB_FIRST); rc == MDB_SUCCESS;
         rc = mdb_cursor_get(cursor, &k, &v, MDB_NEXT))
        out.emplace_back(as_view(k));
    mdb_cursor_close(cursor);
    return out;
}

bool StoreWriter::intact() const {
    struct stat st {};
    return stat(data_file(path_).c_str(), &st) == 0 && st.st_dev == env_->dev &&
           st.st_ino == env_->ino && data_file_whole(env_->env);
}

int StoreWriter::clear_stale_readers() {
    int dead = 0;
    mdb_reader_check(env_->env, &dead);
    return dead;
}

} // namespace vmaildir::replica
