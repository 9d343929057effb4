// The bounded connection pool with exclusive checkout (pool.hpp).
#include "ldap/pool.hpp"

namespace vmaildir::ldap {

Lease::~Lease() {
    if (pool_)
        pool_->release(std::move(connection_));
}

std::optional<Lease> Pool::acquire(Deadline deadline) {
    std::unique_lock lock(mutex_);
    if (!freed_.wait_until(lock, deadline.at(), [&] { return leased_ < capacity_; }))
        return std::nullopt;
    ++leased_;
    std::optional<Connection> c;
    if (!idle_.empty()) {
        c = std::move(idle_.back());
        idle_.pop_back();
    }
    return Lease(*this, std::move(c));
}

void Pool::clear_idle() {
    std::vector<Connection> closing;
    {
        std::lock_guard lock(mutex_);
        closing.swap(idle_);
        idle_.reserve(capacity_);
    }
    // Unbinding happens here, outside the lock.
}

std::uint64_t Pool::stamp() {
    std::lock_guard lock(mutex_);
    return ++stamped_;
}

void Pool::retire_all_until_now() {
    std::vector<Connection> closing;
    {
        std::lock_guard lock(mutex_);
        retired_ = stamped_;
        closing.swap(idle_);
        idle_.reserve(capacity_);
    }
    // Unbinding happens here, outside the lock.
}

void Pool::release(std::optional<Connection> connection) noexcept {
    std::optional<Connection> closing; // closed after the lock is released
    {
        std::lock_guard lock(mutex_);
        --leased_;
        if (connection && connection->epoch > retired_)
            idle_.push_back(std::move(*connection));
        else
            closing = std::move(connection);
    }
    freed_.notify_one();
}

} // namespace vmaildir::ldap
