// The replica's local store: a copy of the mail entries below search_base, kept
// in LMDB by the one vmaildir-replica daemon of a host and read by every
// adapter process on it (Postfix's, Courier's authdaemond workers, Exim's, the
// milter) through the "replica" backend.  LMDB gives one writer, many reader
// processes, and readers that never wait: each reads one consistent snapshot.
//
// A store is a directory holding LMDB's data.mdb and lock.mdb, with four
// databases:
//   entries  entryUUID (16 bytes) → record (replica/record.hpp)
//   dns      DN in comparison form → entryUUID
//   index    "attr\0value" (lower case) → entryUUIDs, for the indexed attributes
//   meta     format, base, indexed attributes, ready flag, generation, the time
//            the store was last known current, the provider, the sync cookie
//   changes  generation → the index keys (old and new values) it changed: the
//            feed that table writers (vmaildir-postfix lmdb-tables) follow
// docs/decisions.md ("Replica") says why.
#pragma once

#include "vmaildir/directory/entry.hpp"
#include "vmaildir/directory/result.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/types.h>
#include <vector>

namespace vmaildir::replica {

/// The 16 bytes of an entryUUID (RFC 4530), as the content-sync protocol carries them.
using Uuid = std::string;

/// What a store holds copies of, fixed when it is made: a store made for another base or
/// another set of indexes is emptied and filled again rather than read.
struct StoreLayout {
    std::string base;                 ///< search_base
    std::vector<std::string> indexed; ///< attributes with an equality index
    bool passwords = false;           ///< whether it holds userPassword (auth_method = compare)
};

struct StoreStatus {
    bool ready = false;           ///< a full refresh has completed: answers may be given
    std::uint64_t generation = 0; ///< changes with every change to the entries
    std::int64_t synced_at = 0;   ///< Unix time when the store was last known current
    std::string provider;         ///< the server it was last synchronised with
    bool has_cookie = false;      ///< whether a restart resumes with a delta
    std::size_t entries = 0;
    StoreLayout layout;
};

class StoreError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

/// Who may read a store: its files get this group (data.mdb 0640, lock.mdb 0660, the
/// directory 0750), and every adapter's user must be in it.  Without a group they stay the
/// writer's alone (0600 / 0700).
struct StoreAccess {
    std::optional<gid_t> group;
    /// LMDB's map size: the most the data file may grow to (address space, not disk).
    std::size_t map_size = std::size_t{32} << 30;
};

/// The one writer of a store (the replica daemon).  Used by one thread.
class StoreWriter {
public:
    /// Opens the store in directory `path` (made if missing).  A store that is damaged,
    /// truncated, of another format or of another layout is emptied; rebuilt_because() then
    /// says why.  Throws StoreError when the files cannot be made or opened at all.
    StoreWriter(std::string path, StoreLayout layout, StoreAccess access = {});
    ~StoreWriter();
    StoreWriter(const StoreWriter&) = delete;
    StoreWriter& operator=(const StoreWriter&) = delete;

    const std::string& path() const noexcept;
    /// Why the store was emptied when it was opened; empty when it was not.
    const std::string& rebuilt_because() const noexcept;
    StoreStatus status() const;
    /// The sync cookie to resume with, if any.
    std::optional<std::string> cookie() const;

    /// One write transaction: nothing is visible to readers before commit().
    class Batch {
    public:
        ~Batch(); ///< aborts unless committed
        Batch(Batch&&) noexcept;
        Batch(const Batch&) = delete;
        Batch& operator=(const Batch&) = delete;
        Batch& operator=(Batch&&) = delete;

        /// Adds or replaces the entry with this entryUUID.
        void put(const Uuid& uuid, const Entry& entry);
        /// Removes the entry with this entryUUID; false when there was none.
        bool remove(const Uuid& uuid);
        /// Whether an entry with this entryUUID is stored.
        bool contains(const Uuid& uuid) const;
        void set_cookie(const std::string& cookie);
        void clear_cookie();
        void set_ready(bool ready);
        /// Records that the store is current with `provider` as of `now` (Unix time).
        void touch(std::int64_t now, const std::string& provider);
        /// Entries put or removed so far.
        std::size_t changes() const noexcept { return changes_; }
        /// Marks the batch as part of a refresh: the change feed then records "everything
        /// may have changed" instead of listing each key (followers rebuild).
        void set_bulk() noexcept { bulk_ = true; }
        /// Makes everything visible at once (bumping the generation when entries changed)
        /// and, when `durable`, flushes it to disk.  Throws StoreError.
        void commit(bool durable = true);

    private:
        friend class StoreWriter;
        struct Txn;
        Batch(StoreWriter& store, std::unique_ptr<Txn> txn);
        StoreWriter& store_;
        std::unique_ptr<Txn> txn_;
        std::size_t changes_ = 0;
        std::vector<std::string> touched_; ///< index keys of what changed, for the change feed
        bool bulk_ = false;
    };
    /// Starts a write transaction (one at a time).  Throws StoreError.
    Batch begin();

    /// Every stored entryUUID (the end of a present phase deletes the ones not mentioned).
    std::vector<Uuid> uuids() const;

    /// Whether the files on disk are still the ones opened and whole: false once someone
    /// deleted, replaced or truncated them (the daemon then starts a fresh store).
    bool intact() const;
    /// Frees the reader slots of processes that died holding one; how many.
    int clear_stale_readers();

    struct Env;

private:
    void open_fresh();
    std::string path_;
    StoreLayout layout_;
    StoreAccess access_;
    std::string rebuilt_because_;
    std::unique_ptr<Env> env_;
};

/// What changed in a store after a generation (the change feed).
struct StoreChanges {
    std::uint64_t generation = 0; ///< the store's generation now
    /// false when the feed no longer reaches back that far (or the store was rebuilt): the
    /// follower must start again from the whole store.
    bool complete = true;
    /// Attribute (lower case) and value (lower case) of every indexed value that was added,
    /// removed or changed, old and new.
    std::vector<std::pair<std::string, std::string>> keys;
};
/// The changes after `since`.  temp_fail when the store cannot be read.
Result<StoreChanges> read_changes(const std::string& path, std::uint64_t since);

/// Reads a store's status without a daemon (vmaildir check, tests).  temp_fail when the
/// store is missing or damaged.
Result<StoreStatus> read_store_status(const std::string& path);

} // namespace vmaildir::replica
