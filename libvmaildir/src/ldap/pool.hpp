// A bounded pool of connections with exclusive checkout.
#pragma once

#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "ldap/connection.hpp"

namespace vmaildir::ldap {

class Pool;

/// Exclusive use of one pool slot: an idle connection, or none yet (the holder opens one).
/// Returning the lease puts a kept connection back; a discarded one is closed.
class Lease {
public:
    Lease(Pool& pool, std::optional<Connection> connection)
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept
        : pool_(std::exchange(other.pool_, nullptr)), connection_(std::move(other.connection_)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    std::optional<Connection>& connection() noexcept { return connection_; }
    /// Closes the connection (it failed); the slot stays leased until the lease ends.
    void discard() noexcept { connection_.reset(); }

private:
    Pool* pool_;
    std::optional<Connection> connection_;
};

class Pool {
public:
    explicit Pool(std::size_t capacity) : capacity_(capacity ? capacity : 1) {
        idle_.reserve(capacity_); // release() is noexcept: it must never allocate
    }

    /// Waits until a slot is free or the deadline passes (nothing then).
    std::optional<Lease> acquire(Deadline deadline);
    /// Closes every idle connection.
    void clear_idle();
    /// The stamp of a connection just opened (its Connection::epoch).
    std::uint64_t stamp();
    /// A connection was found dead: the server went away or restarted, so every connection
    /// opened until now is as dead.  Closes the idle ones; the leased ones are closed when
    /// they come back.  Connections opened afterwards are kept.
    void retire_all_until_now();

private:
    friend class Lease;
    void release(std::optional<Connection> connection) noexcept;

    std::mutex mutex_;
    std::condition_variable freed_;
    std::size_t capacity_;
    std::size_t leased_ = 0;
    std::vector<Connection> idle_;
    std::uint64_t stamped_ = 0; ///< the last stamp given
    std::uint64_t retired_ = 0; ///< connections stamped up to this are not kept
};

} // namespace vmaildir::ldap
