// The socketmap / tcp_table server: listeners, connections, reloadable service.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "vmaildir/log.hpp"
#include "vmaildir/maps.hpp"
#include "vmaildir/service.hpp"

namespace vmaildir::postfix {

enum class Protocol { socketmap, tcp_table };

/// Where and how to listen, written like the Postfix table that reaches it:
///   socketmap:unix:/path          socketmap:inet:127.0.0.1:2526     socketmap:inet:[::1]:2526
///   tcp:inet:127.0.0.1:2527:MAP   (tcp_table carries no map name; Postfix reaches it over TCP only)
struct ListenSpec {
    Protocol protocol = Protocol::socketmap;
    std::optional<MapName> map; ///< tcp_table only
    bool unix_socket = true;
    std::string path; ///< unix
    std::string host; ///< inet, numeric
    int port = 0;     ///< inet
    std::string text; ///< as given, for logs
};

/// Parses a listener specification, or says what is wrong with it.
std::variant<ListenSpec, std::string> parse_listen_spec(std::string_view spec);

/// The service every connection uses; replaced as a whole on reload (SIGHUP).  Connections
/// keep a Snapshot and check one atomic counter per request, so that thousands of lookups a
/// second do not all contend on the shared pointer itself.
class ServiceHolder {
public:
    explicit ServiceHolder(std::shared_ptr<Service> service) : service_(std::move(service)) {}

    void replace(std::shared_ptr<Service> service) {
        std::lock_guard lock(mutex_);
        service_ = std::move(service);
        generation_.fetch_add(1, std::memory_order_release);
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

struct ServerOptions {
    std::vector<ListenSpec> listeners;
    std::size_t max_connections = 1000;
    /// A connection idle this long is closed (Postfix reconnects on demand).
    std::chrono::seconds idle_timeout{300};
    mode_t socket_mode = 0660;
    std::optional<gid_t> socket_group;
};

/// Thread-safe.  bind() before dropping privileges, run() to serve, stop() from any thread.
/// Writes all of `bytes` to a connected socket (no SIGPIPE); false when the peer is gone.
bool send_all(int fd, std::string_view bytes);

class Server {
public:
    Server(ServerOptions options, ServiceHolder& service, Logger& log);
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
    struct Listener {
        ListenSpec spec;
        int fd = -1;
    };
    void serve(int fd, const ListenSpec& spec);
    void serve_socketmap(int fd, const ListenSpec& spec);
    void serve_tcp(int fd, const ListenSpec& spec);
    Result<std::vector<std::string>> answer(Service& service, const ListenSpec& spec,
                                            MapName map, std::string_view key);
    ServerOptions options_;
    ServiceHolder& service_;
    Logger& log_;
    std::vector<Listener> listeners_;
    int wake_fd_ = -1;
    std::atomic<bool> stopping_{false};

    mutable std::mutex mutex_;
    std::condition_variable idle_;
    std::set<int> open_; ///< client sockets, for stop()
};

} // namespace vmaildir::postfix
