// Accepting and serving connections for a daemon's protocol: every listener,
// one thread per connection, a bounded number of them per listener, an idle
// timeout, a deadline for each request, and a clean stop.  The protocol is a
// handler that talks over one Connection; it knows nothing of sockets beyond
// that.
//
// One thread per connection suits the hosts: Postfix keeps one persistent
// connection per client process and sends one request at a time, Exim opens one
// per lookup; so connections are many, mostly idle, and each needs only
// sequential service.  Lookups share the Service (one cache, one LDAP pool).
//
// Hostile clients: each listener has its own limit, so a flood on the loopback
// TCP port cannot starve the unix socket Postfix uses.  At the limit a new
// connection is still served: the listener's connection idle the longest (or,
// when none is idle, the oldest) is closed to make room, and that is logged once
// a minute with a count.  A request must arrive whole within request_timeout of
// its first byte, however slowly it trickles in.
//
// Out of file descriptors (accept() fails with EMFILE or ENFILE; RLIMIT_NOFILE is
// often 1024, below the listeners' limits added up) the same policy holds: the
// connection of the fullest listener that waited longest is closed, and accept()
// rests until a connection has ended or a second has passed, instead of failing
// again at once in a busy loop.  Lookups that then need a new LDAP connection and
// find no descriptor for it answer "try later".  Logged once a minute.
#pragma once

#include "vmaildir/daemon/listener.hpp"
#include "vmaildir/daemon/service_holder.hpp"
#include "vmaildir/util/log.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <map>
#include <memory>
#include <string_view>
#include <vector>

namespace vmaildir::daemon {

struct ServerLimits {
    std::size_t max_connections = 1000; ///< per listener
    /// A connection idle this long is closed (Postfix reconnects on demand).
    std::chrono::seconds idle_timeout{300};
    /// From the first byte of a request until it is whole.
    std::chrono::seconds request_timeout{10};
};

/// What the server knows of one connection; shared by its thread and the server.
struct ConnectionState {
    int fd = -1;
    std::size_t listener = 0;
    std::chrono::steady_clock::time_point opened;
    std::atomic<std::int64_t> last_active{0}; ///< steady clock, ns: the last byte in or out
    std::atomic<bool> mid_request{false};     ///< between a request's first byte and its reply
    bool closing = false; ///< the server shut it down to make room (with the server's mutex)
};

/// Writes all of `bytes` to a connected socket (no SIGPIPE); false when the peer is gone.
bool send_all(int fd, std::string_view bytes);

/// One accepted connection, as a protocol handler sees it.  Used by one thread.
class Connection {
public:
    Connection(ConnectionState& state, const ServerLimits& limits, const ServiceHolder& services,
               const std::atomic<bool>& stopping, Logger& log)
        : state_(state), limits_(limits), service_(services), stopping_(stopping), log_(log) {}

    /// Which listener accepted it: an index into the list the Server was given.
    std::size_t listener() const noexcept { return state_.listener; }
    /// Reads what has arrived, at most `size` bytes: the count, or 0 when the peer closed,
    /// the idle timeout or the request's deadline passed, the server made room for a newer
    /// connection or is stopping (then the handler returns).  `partial`: the handler holds
    /// part of a request, whose deadline runs from its first byte; false: it holds none,
    /// and the wait for the next request's first byte is bounded by the idle timeout only.
    std::size_t receive(char* buffer, std::size_t size, bool partial = false);
    /// Writes all of `bytes`; false when the peer is gone.  A reply: the next byte received
    /// begins a new request.
    bool send(std::string_view bytes);
    /// The service to answer the next request with (a reload replaces it between requests).
    Service& service() { return service_.get(); }
    Logger& log() noexcept { return log_; }

private:
    ConnectionState& state_;
    const ServerLimits& limits_;
    std::chrono::steady_clock::time_point deadline_{};
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

    /// Connections currently open, on all listeners (for logs and tests).
    std::size_t connections() const;

private:
    void serve(std::shared_ptr<ConnectionState> state);
    /// With mutex_ held, at the limit of `listener`: closes the connection that waited
    /// longest for its next request (or the oldest), and logs that once a minute.
    void make_room(std::size_t listener);
    /// With mutex_ held: shuts down the listener's connection that waited longest for its
    /// next request (or the oldest); false when it has none left to close.
    bool close_longest_waiting(std::size_t listener);
    /// With mutex_ held, accept() on `listener` having failed with `error` for lack of
    /// descriptors or memory: makes room in the fullest listener, pauses accepting (until a
    /// connection ends, see serve()) and logs that once a minute.
    void out_of_resources(std::size_t listener, int error);

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
    std::map<int, std::shared_ptr<ConnectionState>> open_; ///< by client socket
    std::vector<std::size_t> open_per_listener_;
    struct RoomLog {
        std::chrono::steady_clock::time_point last{};
        std::size_t closed = 0; ///< since the last line
    };
    std::vector<RoomLog> room_log_;
    RoomLog resource_log_; ///< out of descriptors or memory, all listeners together
    /// accept() rests (out of resources); a connection that ends wakes run() through wake_fd_.
    std::atomic<bool> accept_paused_{false};
};

} // namespace vmaildir::daemon
