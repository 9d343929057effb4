// The store's shared LMDB helpers (lmdb.hpp).
#include "replica/lmdb.hpp"

#include "vmaildir/util/text.hpp"

#include <sys/stat.h>

namespace vmaildir::replica {

void check_mdb(int rc, const std::string& path, const char* what) {
    if (rc != MDB_SUCCESS)
        throw StoreError(path + ": " + what + ": " + mdb_strerror(rc));
}

int open_dbis(MDB_txn* txn, bool create, Dbis& dbis) {
    unsigned flags = create ? MDB_CREATE : 0;
    int rc = mdb_dbi_open(txn, "entries", flags, &dbis.entries);
    if (rc == MDB_SUCCESS)
        rc = mdb_dbi_open(txn, "dns", flags, &dbis.dns);
    if (rc == MDB_SUCCESS)
        rc = mdb_dbi_open(txn, "index", flags | MDB_DUPSORT, &dbis.index);
    if (rc == MDB_SUCCESS)
        rc = mdb_dbi_open(txn, "meta", flags, &dbis.meta);
    if (rc == MDB_SUCCESS)
        rc = mdb_dbi_open(txn, "changes", flags, &dbis.changes);
    return rc;
}

std::string generation_key(std::uint64_t generation) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[7 - i] = static_cast<char>((generation >> (8 * i)) & 0xff);
    return out;
}

std::optional<std::string_view> get_meta(MDB_txn* txn, const Dbis& dbis, std::string_view key) {
    MDB_val k = as_val(key), v{};
    if (mdb_get(txn, dbis.meta, &k, &v) != MDB_SUCCESS)
        return std::nullopt;
    return as_view(v);
}

std::string encode_u64(std::uint64_t v) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i)
        out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return out;
}

std::uint64_t decode_u64(std::string_view s) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8 && i < s.size(); ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(s[i])) << (8 * i);
    return v;
}

StoreStatus read_status(MDB_txn* txn, const Dbis& dbis) {
    StoreStatus s;
    auto text = [&](std::string_view key) {
        auto v = get_meta(txn, dbis, key);
        return v ? std::string(*v) : std::string();
    };
    s.ready = text(meta::ready) == "1";
    s.generation = decode_u64(text(meta::generation));
    s.synced_at = static_cast<std::int64_t>(decode_u64(text(meta::synced_at)));
    s.provider = text(meta::provider);
    s.has_cookie = get_meta(txn, dbis, meta::cookie).has_value();
    s.layout.base = text(meta::base);
    std::string indexed = text(meta::indexed);
    s.layout.indexed = util::split_list(indexed, ",");
    s.layout.passwords = text(meta::passwords) == "1";
    MDB_stat st{};
    if (mdb_stat(txn, dbis.entries, &st) == MDB_SUCCESS)
        s.entries = st.ms_entries;
    return s;
}

bool data_file_whole(MDB_env* env) {
    MDB_envinfo info{};
    MDB_stat st{};
    mdb_filehandle_t fd = -1;
    if (mdb_env_info(env, &info) != MDB_SUCCESS || mdb_env_stat(env, &st) != MDB_SUCCESS ||
        mdb_env_get_fd(env, &fd) != MDB_SUCCESS)
        return false;
    struct stat file {};
    if (fstat(fd, &file) != 0)
        return false;
    auto used = static_cast<std::uint64_t>(info.me_last_pgno + 1) * st.ms_psize;
    return static_cast<std::uint64_t>(file.st_size) >= used;
}

} // namespace vmaildir::replica
