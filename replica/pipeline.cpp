// The session's messages applied on a writer thread (pipeline.hpp).
#include "pipeline.hpp"

#include <utility>

namespace vmaildir::replica {

SyncPipeline::SyncPipeline(ldap::SyncTarget& target, std::size_t chunk_size, std::size_t max_chunks)
    : target_(target), chunk_size_(chunk_size == 0 ? 1 : chunk_size),
      max_chunks_(max_chunks == 0 ? 1 : max_chunks) {
    pending_.reserve(chunk_size_);
    writer_ = std::thread([this] { run(); });
}

SyncPipeline::~SyncPipeline() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        chunks_.clear();
    }
    wake_writer_.notify_all();
    writer_.join();
}

void SyncPipeline::run() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_writer_.wait(lock, [&] { return stopping_ || !chunks_.empty(); });
        if (stopping_)
            return;
        std::vector<Op> chunk = std::move(chunks_.front());
        chunks_.pop_front();
        busy_ = true;
        wake_session_.notify_all(); // room in the queue
        lock.unlock();
        std::exception_ptr failed;
        try {
            for (Op& op : chunk) {
                switch (op.kind) {
                case Op::Kind::begins:
                    target_.refresh_begins(op.text);
                    break;
                case Op::Kind::changed:
                    target_.changed(op.text,
                                    std::move(op.entry)); // read, not taken: freed with the chunk
                    break;
                case Op::Kind::present:
                    target_.present(op.text);
                    break;
                case Op::Kind::removed:
                    target_.removed(op.text);
                    break;
                case Op::Kind::phase_done:
                    target_.present_phase_done();
                    break;
                case Op::Kind::refresh_done:
                    target_.refresh_done(op.cookie);
                    break;
                case Op::Kind::cookie:
                    target_.cookie(op.text);
                    break;
                }
            }
        } catch (...) {
            failed = std::current_exception();
        }
        lock.lock();
        spent_.push_back(std::move(chunk)); // freed by the thread that allocated it
        busy_ = false;
        if (failed) {
            failure_ = failed;
            chunks_.clear(); // nothing after a failed write may be applied
        }
        wake_session_.notify_all();
    }
}

void SyncPipeline::rethrow_failure() {
    std::lock_guard lock(mutex_);
    if (failure_)
        std::rethrow_exception(std::exchange(failure_, nullptr));
}

void SyncPipeline::hand_over() {
    if (pending_.empty())
        return;
    std::unique_lock lock(mutex_);
    wake_session_.wait(lock, [&] { return failure_ || chunks_.size() < max_chunks_; });
    if (failure_) {
        pending_.clear();
        std::rethrow_exception(std::exchange(failure_, nullptr));
    }
    chunks_.push_back(std::move(pending_));
    std::vector<std::vector<Op>> spent = std::move(spent_);
    spent_.clear();
    lock.unlock();
    wake_writer_.notify_one();
    // Reused for the next chunk when there is one: the entries it held are freed here,
    // on the thread that allocated them (glibc's malloc pays dearly for frees from
    // another thread).
    pending_ = spent.empty() ? std::vector<Op>{} : std::move(spent.back());
    pending_.clear();
    pending_.reserve(chunk_size_);
}

void SyncPipeline::add(Op op, bool at_once) {
    pending_.push_back(std::move(op));
    if (at_once || !refreshing_ || pending_.size() >= chunk_size_)
        hand_over();
}

void SyncPipeline::refresh_begins(const std::string& provider) {
    rethrow_failure();
    refreshing_ = true;
    add(Op{Op::Kind::begins, provider, {}, {}}, false);
}

void SyncPipeline::changed(const ldap::SyncUuid& uuid, Entry&& entry) {
    add(Op{Op::Kind::changed, uuid, std::move(entry), {}}, false);
}

void SyncPipeline::present(const ldap::SyncUuid& uuid) {
    add(Op{Op::Kind::present, uuid, {}, {}}, false);
}

void SyncPipeline::removed(const ldap::SyncUuid& uuid) {
    add(Op{Op::Kind::removed, uuid, {}, {}}, false);
}

void SyncPipeline::present_phase_done() {
    add(Op{Op::Kind::phase_done, {}, {}, {}}, false);
}

void SyncPipeline::refresh_done(const std::optional<std::string>& cookie) {
    refreshing_ = false;
    add(Op{Op::Kind::refresh_done, {}, {}, cookie}, true);
}

void SyncPipeline::cookie(const std::string& cookie) {
    add(Op{Op::Kind::cookie, cookie, {}, {}}, true);
}

void SyncPipeline::finish() {
    hand_over();
    std::unique_lock lock(mutex_);
    wake_session_.wait(lock, [&] { return failure_ || (chunks_.empty() && !busy_); });
    if (failure_)
        std::rethrow_exception(std::exchange(failure_, nullptr));
}

bool SyncPipeline::idle() {
    finish();
    // The writer waits for a chunk: the target is the session thread's until the next one.
    return target_.idle();
}

} // namespace vmaildir::replica
