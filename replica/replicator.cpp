// Keeping the store equal to the provider (replicator.hpp).
#include "replicator.hpp"

#include <algorithm>
#include <ctime>

namespace vmaildir::replica {

namespace {

std::int64_t unix_now() {
    return static_cast<std::int64_t>(std::time(nullptr));
}

} // namespace

Replicator::Replicator(StoreWriter& store, Logger& log, std::size_t batch_size, bool routine)
    : store_(store), log_(log), batch_size_(std::max<std::size_t>(1, batch_size)),
      routine_(routine) {}

StoreWriter::Batch& Replicator::batch() {
    if (!batch_) {
        batch_.emplace(store_.begin());
        if (refreshing_)
            batch_->set_bulk(); // followers of the change feed rebuild after a refresh
    }
    return *batch_;
}

Replicator::Key Replicator::key(const ldap::SyncUuid& uuid) {
    Key k{};
    uuid.copy(k.data(), std::min(uuid.size(), k.size()));
    return k;
}

void Replicator::commit(bool durable) {
    if (!batch_)
        return;
    batch_->commit(durable);
    batch_.reset();
    dirty_ = !durable;
}

void Replicator::refresh_begins(const std::string& provider) {
    batch_.reset();
    provider_ = provider;
    refreshing_ = true;
    resumed_ = store_.cookie().has_value();
    was_empty_ = store_.status().entries == 0;
    mentioned_.clear();
    counts_ = {};
    started_ = std::chrono::steady_clock::now();
    std::string line = "refreshing from " + provider +
                       (resumed_ ? " (resuming from the stored cookie)" : " (full refresh)");
    // A --poll round is routine: only its changes are news.
    if (routine_ && resumed_)
        log_.debug(line);
    else
        log_.info(line);
}

void Replicator::changed(const ldap::SyncUuid& uuid, Entry&& entry) {
    batch().put(uuid, entry);
    ++counts_.changed;
    if (refreshing_) {
        mentioned_.push_back(key(uuid));
        if (batch_->changes() >= batch_size_)
            commit(false);
    } else {
        commit(false); // visible now; the cookie that follows is committed on its own
    }
}

void Replicator::present(const ldap::SyncUuid& uuid) {
    ++counts_.present;
    if (refreshing_)
        mentioned_.push_back(key(uuid));
}

void Replicator::removed(const ldap::SyncUuid& uuid) {
    if (batch().remove(uuid))
        ++counts_.removed;
    if (!refreshing_)
        commit(false);
    else if (batch_->changes() >= batch_size_)
        commit(false);
}

void Replicator::present_phase_done() {
    if (!refreshing_)
        return; // a present phase only means something within a refresh
    if (was_empty_) {
        // Everything stored came in this refresh, so all of it was mentioned: no walk over
        // the whole store (which would also map all of it again after a first fill).  Only
        // for the first phase: what a later one does not mention is gone.
        was_empty_ = false;
        mentioned_.clear();
        mentioned_.shrink_to_fit();
        return;
    }
    // Only what was committed is in store_.uuids(): commit first, or an entry changed before
    // an earlier phase ended and still in the batch would survive this one unmentioned.
    commit(false);
    std::sort(mentioned_.begin(), mentioned_.end());
    for (const Uuid& uuid : store_.uuids()) {
        if (std::binary_search(mentioned_.begin(), mentioned_.end(), key(uuid)))
            continue;
        if (batch().remove(uuid))
            ++counts_.removed;
        if (batch_->changes() >= batch_size_)
            commit(false);
    }
    mentioned_.clear();
    mentioned_.shrink_to_fit();
}

void Replicator::refresh_done(const std::optional<std::string>& cookie) {
    StoreWriter::Batch& b = batch();
    if (cookie)
        b.set_cookie(*cookie);
    b.set_ready(true);
    b.touch(unix_now(), provider_);
    commit(true);
    refreshing_ = false;
    refreshed_ = true;
    mentioned_.clear();
    last_touch_ = std::chrono::steady_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(last_touch_ - started_);
    StoreStatus s = store_.status();
    std::string done =
        "refresh from " + provider_ + " complete in " + std::to_string(ms.count()) +
        " ms: " + std::to_string(counts_.changed) + " entries received, " +
        std::to_string(counts_.present) + " unchanged, " + std::to_string(counts_.removed) +
        " deleted; the store holds " + std::to_string(s.entries) + " entries" +
        (s.has_cookie ? "" : " (no cookie from the provider: a restart refreshes in full)");
    if (routine_ && resumed_ && counts_.changed == 0 && counts_.removed == 0)
        log_.debug(done);
    else
        log_.info(done);
}

void Replicator::cookie(const std::string& cookie) {
    StoreWriter::Batch& b = batch();
    b.set_cookie(cookie);
    b.touch(unix_now(), provider_);
    commit(false);
    last_touch_ = std::chrono::steady_clock::now();
}

bool Replicator::idle() {
    auto now = std::chrono::steady_clock::now();
    if (!store_.intact()) {
        log_.error("the store in " + store_.path() +
                   " was deleted, replaced or truncated: starting a fresh one");
        batch_.reset();
        store_lost_ = true;
        return false;
    }
    if (batch_ || now - last_touch_ >= std::chrono::seconds(1) || dirty_) {
        batch().touch(unix_now(), provider_);
        commit(true);
        last_touch_ = now;
    }
    if (now - last_reader_check_ >= std::chrono::seconds(30)) {
        last_reader_check_ = now;
        if (int dead = store_.clear_stale_readers(); dead > 0)
            log_.info("freed " + std::to_string(dead) + " reader slots of processes that died");
    }
    return true;
}

} // namespace vmaildir::replica
