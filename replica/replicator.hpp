// What the replica daemon does with a sync session's messages: keep the store
// (vmaildir/replica/store.hpp) equal to the provider's content.
//
// - Refresh: entries are written in batches of `batch_size`, not yet visible as
//   ready when the store is new; a present phase ends by deleting every stored
//   entry it did not mention; the cookie is stored only when the refresh is
//   complete, in the same transaction that marks the store ready.
// - Persist: each change is committed at once, with the cookie that follows
//   it, so a change is visible to every adapter as soon as it arrives.
// - Idle (about once a second): "current as of now" is recorded, the store is
//   flushed to disk, a deleted or truncated store ends the session.
#pragma once

#include "vmaildir/ldap/sync.hpp"
#include "vmaildir/replica/store.hpp"
#include "vmaildir/util/log.hpp"

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace vmaildir::replica {

struct RefreshCounts {
    std::size_t changed = 0; ///< entries received whole (added or modified)
    std::size_t present = 0; ///< entries reported unchanged
    std::size_t removed = 0; ///< entries deleted (by the provider or by a present phase)
};

class Replicator final : public ldap::SyncTarget {
public:
    /// `routine`: a --poll round after the first, logged at debug level when nothing changed.
    Replicator(StoreWriter& store, Logger& log, std::size_t batch_size = 10000,
               bool routine = false);

    void refresh_begins(const std::string& provider) override;
    void changed(const ldap::SyncUuid& uuid, Entry&& entry) override;
    void present(const ldap::SyncUuid& uuid) override;
    void removed(const ldap::SyncUuid& uuid) override;
    void present_phase_done() override;
    void refresh_done(const std::optional<std::string>& cookie) override;
    void cookie(const std::string& cookie) override;
    bool idle() override;

    /// Whether idle() found the store deleted, replaced or truncated.
    bool store_lost() const noexcept { return store_lost_; }
    /// What the last refresh received.
    const RefreshCounts& last_refresh() const noexcept { return counts_; }
    bool refreshing() const noexcept { return refreshing_; }
    /// Whether a refresh completed in this session.
    bool refreshed() const noexcept { return refreshed_; }

private:
    StoreWriter::Batch& batch();
    void commit(bool durable);

    StoreWriter& store_;
    Logger& log_;
    std::size_t batch_size_;
    std::optional<StoreWriter::Batch> batch_;
    std::string provider_;
    bool refreshing_ = false;
    bool resumed_ = false;
    bool was_empty_ = false; ///< the store held nothing when the refresh began
    bool refreshed_ = false;
    bool routine_ = false;
    /// An entryUUID as a value (16 bytes: one more than a std::string holds without a heap
    /// allocation; a refresh of a million entries keeps a million of them).
    using Key = std::array<char, 16>;
    static Key key(const ldap::SyncUuid& uuid);
    std::vector<Key> mentioned_; ///< during a present phase
    RefreshCounts counts_;
    std::chrono::steady_clock::time_point started_;
    std::chrono::steady_clock::time_point last_touch_{};
    std::chrono::steady_clock::time_point last_reader_check_{};
    bool dirty_ = false; ///< committed without a flush to disk
    bool store_lost_ = false;
};

} // namespace vmaildir::replica
