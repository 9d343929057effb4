// What the store's writer (store.cpp) and reader (store_reader.cpp) share: the
// names of its LMDB databases and meta keys, error handling, and the reading of
// its status.  Only src/replica includes <lmdb.h>.
#pragma once

#include "vmaildir/replica/store.hpp"

#include <cstdint>
#include <lmdb.h>
#include <string>
#include <string_view>

namespace vmaildir::replica {

/// "format" in meta: a store of another format is rebuilt.
inline constexpr std::string_view store_format = "vmaildir-replica 1";

namespace meta {
inline constexpr std::string_view format = "format";
inline constexpr std::string_view base = "base";
inline constexpr std::string_view indexed = "indexed";
inline constexpr std::string_view passwords = "passwords";
inline constexpr std::string_view ready = "ready";
inline constexpr std::string_view generation = "generation";
inline constexpr std::string_view synced_at = "synced_at";
inline constexpr std::string_view provider = "provider";
inline constexpr std::string_view cookie = "cookie";
} // namespace meta

struct Dbis {
    MDB_dbi entries = 0;
    MDB_dbi dns = 0;
    MDB_dbi index = 0;
    MDB_dbi meta = 0;
    MDB_dbi changes = 0;
};

/// How many generations the change feed keeps (read_changes() beyond: a full rebuild).
inline constexpr std::uint64_t kept_changes = 100000;

/// The feed record of a bulk batch (a refresh): too much changed to list, followers start
/// again from the whole store.  No list of keys starts with it (a key is length-prefixed).
inline constexpr std::string_view bulk_feed = "\xff\xff\xff\xff"
                                              "bulk";

/// The key of a generation in the change feed: big-endian, so LMDB orders them.
std::string generation_key(std::uint64_t generation);

inline MDB_val as_val(std::string_view s) {
    return MDB_val{s.size(), const_cast<char*>(s.data())};
}
inline std::string_view as_view(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
}

/// "PATH: WHAT: mdb_strerror" as a StoreError unless rc is MDB_SUCCESS.
void check_mdb(int rc, const std::string& path, const char* what);

/// Opens the five databases in `txn` (creating them when `create`).  The MDB rc.
int open_dbis(MDB_txn* txn, bool create, Dbis& dbis);

/// A meta value, or nullopt.
std::optional<std::string_view> get_meta(MDB_txn* txn, const Dbis& dbis, std::string_view key);
std::string encode_u64(std::uint64_t v);
std::uint64_t decode_u64(std::string_view s);

/// The status stored in meta.
StoreStatus read_status(MDB_txn* txn, const Dbis& dbis);

/// Whether data.mdb is at least as long as the pages LMDB uses: a truncated file would make
/// readers fault (SIGBUS) on the missing pages.
bool data_file_whole(MDB_env* env);

} // namespace vmaildir::replica
