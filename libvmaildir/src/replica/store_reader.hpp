// Reading a replica store from an adapter process: searches answered from one
// LMDB snapshot each, and the checks that keep answers honest — a store that
// is missing, damaged, replaced, not yet filled or too long out of touch with
// its provider answers temporary failure, never "not found".
#pragma once

#include "vmaildir/directory/directory.hpp"
#include "vmaildir/replica/store.hpp"

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

namespace vmaildir::replica {

struct ReaderPolicy {
    std::string base; ///< search_base: a store of another base is not used
    /// How long after the store was last known current it still answers.
    std::chrono::seconds max_stale{3600};
    /// Whether answers need the store to hold passwords (auth_method = compare).
    bool passwords = false;
};

/// Thread-safe; opens the store lazily (after a host's fork) and again when the daemon
/// replaced it.  Readers of one store in one process share one LMDB environment.
class StoreReader {
public:
    StoreReader(std::string path, ReaderPolicy policy);
    ~StoreReader();
    StoreReader(const StoreReader&) = delete;
    StoreReader& operator=(const StoreReader&) = delete;

    const std::string& path() const noexcept { return path_; }

    /// The store's generation when it may answer; temp_fail (with the reason) when not.
    Result<std::uint64_t> generation();
    /// One search over one snapshot, after the same checks.  Equality on an indexed
    /// attribute is answered from the index; anything else scans.
    Result<std::vector<Entry>> search(const SearchRequest& request);

    struct Env;

private:
    Result<std::shared_ptr<Env>> env();
    Result<std::shared_ptr<Env>> env_locked(); ///< with mutex_ held
    Result<std::uint64_t> generation_locked(); ///< with mutex_ held
    std::string path_;
    ReaderPolicy policy_;
    std::uint64_t id_; ///< unique in the process (a new reader may reuse an old one's address)
    std::mutex mutex_;
    std::shared_ptr<Env> env_;
    std::string problem_;    ///< why env_ may not answer for this policy (another base), or empty
    unsigned env_forks_ = 0; ///< forks seen when env_ was opened
    Clock::time_point next_identity_check_{};
    // The last full check of generation(), valid while LMDB's last transaction id stays.
    std::uint64_t cached_txnid_ = 0;
    std::uint64_t cached_generation_ = 0;
    std::int64_t cached_synced_at_ = 0;
    std::string cached_refusal_;
};

} // namespace vmaildir::replica
