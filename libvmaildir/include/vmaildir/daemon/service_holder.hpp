// The Service a daemon's connections use, replaced as a whole on reload (SIGHUP).
#pragma once

#include "vmaildir/service/service.hpp"

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>

namespace vmaildir::daemon {

/// Thread-safe.  Connections keep a Snapshot and check one atomic counter per request, so that
/// thousands of lookups a second do not all contend on the shared pointer itself; a connection
/// finishes its current request with the service it started it on.
class ServiceHolder {
public:
    explicit ServiceHolder(std::shared_ptr<Service> service) : service_(std::move(service)) {}

    /// Makes `service` the one every connection uses from its next request on.
    void replace(std::shared_ptr<Service> service) {
        std::lock_guard lock(mutex_);
        service_ = std::move(service);
        generation_.fetch_add(1, std::memory_order_release);
    }

    /// The current service (for logs at start).
    std::shared_ptr<Service> current() const {
        std::lock_guard lock(mutex_);
        return service_;
    }

    /// A connection's view of the current service.
    class Snapshot {
    public:
        explicit Snapshot(const ServiceHolder& holder) : holder_(holder) { refresh(); }
        Service& get() {
            if (holder_.generation_.load(std::memory_order_acquire) != generation_)
                refresh();
            return *service_;
        }

    private:
        void refresh() {
            std::lock_guard lock(holder_.mutex_);
            service_ = holder_.service_;
            generation_ = holder_.generation_.load(std::memory_order_relaxed);
        }
        const ServiceHolder& holder_;
        std::shared_ptr<Service> service_;
        std::uint64_t generation_ = 0;
    };

private:
    mutable std::mutex mutex_;
    std::shared_ptr<Service> service_;
    std::atomic<std::uint64_t> generation_{0};
};

} // namespace vmaildir::daemon
