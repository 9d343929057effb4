// Two threads for one sync session: the session's thread reads and decodes the
// provider's messages, a second thread applies them to the store.  A refresh of a
// million entries is CPU-bound in both halves about equally (BER decoding on one
// side; DN normalisation, record encoding and LMDB on the other), so on a
// machine with two CPUs this takes about a third off its wall time.
//
// Every call reaches the wrapped target in the order it was made, on the
// writer thread.  During a refresh they are handed over in chunks; after it
// each one at once, so a change in persist mode is committed as soon as it
// arrives.  idle() waits until the writer has applied everything, then asks the
// wrapped target.  At most `max_chunks` chunks wait: the queue's memory stays
// bounded however fast the provider sends.
//
// A failure of the wrapped target (a StoreError) ends the writer's work; the
// next call, or finish(), throws it on the session's thread.
#pragma once

#include "vmaildir/ldap/sync.hpp"

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace vmaildir::replica {

class SyncPipeline final : public ldap::SyncTarget {
public:
    explicit SyncPipeline(ldap::SyncTarget& target, std::size_t chunk_size = 256,
                          std::size_t max_chunks = 32);
    /// Stops the writer; what it had not applied yet is dropped (call finish() first to keep it).
    ~SyncPipeline() override;
    SyncPipeline(const SyncPipeline&) = delete;
    SyncPipeline& operator=(const SyncPipeline&) = delete;

    void refresh_begins(const std::string& provider) override;
    void changed(const ldap::SyncUuid& uuid, Entry&& entry) override;
    void present(const ldap::SyncUuid& uuid) override;
    void removed(const ldap::SyncUuid& uuid) override;
    void present_phase_done() override;
    void refresh_done(const std::optional<std::string>& cookie) override;
    void cookie(const std::string& cookie) override;
    bool idle() override;

    /// Waits until everything handed over is applied; throws the writer's failure, if any.
    /// The wrapped target may be read afterwards.
    void finish();

private:
    struct Op {
        enum class Kind { begins, changed, present, removed, phase_done, refresh_done, cookie };
        Kind kind;
        std::string text; ///< the uuid, the provider or the cookie
        Entry entry;
        std::optional<std::string> cookie; ///< of refresh_done
    };
    void add(Op op, bool at_once);
    void hand_over(); ///< the pending chunk to the writer
    void rethrow_failure();
    void run();

    ldap::SyncTarget& target_;
    std::size_t chunk_size_;
    std::size_t max_chunks_;
    bool refreshing_ = false; ///< on the session's thread: chunks only during a refresh
    std::vector<Op> pending_; ///< the session thread's chunk being filled

    std::mutex mutex_;
    std::condition_variable wake_writer_;
    std::condition_variable wake_session_;
    std::deque<std::vector<Op>> chunks_;
    std::vector<std::vector<Op>> spent_; ///< applied, to be freed on the session's thread
    bool busy_ = false;                  ///< the writer is applying a chunk
    bool stopping_ = false;
    std::exception_ptr failure_;
    std::thread writer_;
};

} // namespace vmaildir::replica
