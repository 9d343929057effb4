// Accepting and serving connections for a daemon's protocol: every listener,
// one thread per connection, a bounded number of them, an idle timeout, and a
// clean stop.  The protocol is a handler that talks over one Connection; it
// knows nothing of sockets beyond that.
//
// One thread per connection suits the hosts: Postfix keeps one persistent
// connection per client process and sends one request at a time, Exim opens one
// per lookup; so connections are many, mostly idle, and each needs only
// sequential service.  Lookups share the Service (one cache, one LDAP pool).
#pragma once

#include "vmaildir/daemon/listener.hpp"
#include "vmaildir/daemon/service_holder.hpp"
#include "vmaildir/util/log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <mutex>
#include <set>
#include <string_view>
#include <vector>

namespace vmaildir::daemon {

struct ServerLimits {
    std::size_t max_connections = 1000;
    /// A connection idle this long is closed (Postfix reconnects on demand).
    std::chrono::seconds idle_timeout{300};
};

/// Writes all of `bytes` to a connected socket (no SIGPIPE); false when the peer is gone.
bool send_all(int fd, std::string_view bytes);

/// One accepted connection, as a protocol handler sees it.  Used by one thread.
class Connection {
public:
    Connection(int fd, std::size_t listener, const ServiceHolder& services,
               const std::atomic<bool>& stopping, Logger& log)
        : fd_(fd), listener_(listener), service_(services), stopping_(stopping), log_(log) {}

    /// Which listener accepted it: an index into the list the Server was given.
    std::size_t listener() const noexcept { return listener_; }
    /// Reads what has arrived, at most `size` bytes: the count, or 0 when the peer closed,
    /// the idle timeout passed or the server is stopping (then the handler returns).
    std::size_t receive(char* buffer, std::size_t size);
    /// Writes all of `bytes`; false when the peer is gone.
    bool send(std::string_view bytes) { return send_all(fd_, bytes); }
    /// The service to answer the next request with (a reload replaces it between requests).
    Service& service() { return service_.get(); }
    Logger& log() noexcept { return log_; }

private:
    int fd_;
    std::size_t listener_;
    ServiceHolder::Snapshot service_;
    const std::atomic<bool>& stopping_;
    Logger& log_;
};

/// Serves one connection until it ends; exceptions end the connection and are logged.
using ConnectionHandler = std::function<void(Connection&)>;

/// Thread-safe.  bind() before dropping privileges, run() to serve, stop() from any thread.
class Server {
public:
    Server(std::vector<Endpoint> listeners, SocketOptions sockets, ServerLimits limits,
           ServiceHolder& services, ConnectionHandler handler, Logger& log);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    /// Opens every listener.  Throws std::runtime_error naming the listener that failed.
    void bind();
    /// Accepts and serves until stop(); returns once every connection has ended.
    void run();
    /// Makes run() return: closes the listeners and ends every connection.
    void stop();

    /// Connections currently open (for logs and tests).
    std::size_t connections() const;

private:
    void serve(int fd, std::size_t listener);

    std::vector<Endpoint> endpoints_;
    SocketOptions sockets_;
    ServerLimits limits_;
    ServiceHolder& services_;
    ConnectionHandler handler_;
    Logger& log_;
    std::vector<int> listeners_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};

    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::set<int> open_; ///< client sockets, for stop()
};

} // namespace vmaildir::daemon
