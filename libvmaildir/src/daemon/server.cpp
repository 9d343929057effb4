// Listeners and connections (vmaildir/daemon/server.hpp).
#include "vmaildir/daemon/server.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <system_error>
#include <thread>
#include <unistd.h>

namespace vmaildir::daemon {

namespace {

std::string errno_text() {
    return std::strerror(errno);
}

} // namespace

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t ticks(Clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

} // namespace

std::size_t Connection::receive(char* buffer, std::size_t size, bool partial) {
    using std::chrono::milliseconds;
    if (!partial)
        state_.mid_request.store(false); // between requests: only the idle timeout
    else if (!state_.mid_request.exchange(true))
        deadline_ = Clock::now() + limits_.request_timeout;
    while (!stopping_) {
        auto now = Clock::now();
        auto wait = std::chrono::duration_cast<milliseconds>(limits_.idle_timeout);
        if (state_.mid_request) {
            if (now >= deadline_) {
                log_.debug("a request not whole after " +
                           std::to_string(limits_.request_timeout.count()) + "s; closing");
                return 0;
            }
            // Rounded up: a wait of 0 ms would spin.
            wait = std::chrono::duration_cast<milliseconds>(deadline_ - now) + milliseconds(1);
        }
        pollfd p{state_.fd, POLLIN, 0};
        int ready = poll(&p, 1, static_cast<int>(wait.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            return 0;
        if (ready == 0) {
            if (state_.mid_request)
                continue; // the deadline, checked above
            return 0;     // idle for idle_timeout
        }
        ssize_t n = recv(state_.fd, buffer, size, MSG_DONTWAIT);
        if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
            continue;
        if (n <= 0)
            return 0; // closed by the peer, or shut down by the server
        now = Clock::now();
        state_.last_active.store(ticks(now), std::memory_order_relaxed);
        if (!state_.mid_request.exchange(true))
            deadline_ = now + limits_.request_timeout;
        return static_cast<std::size_t>(n);
    }
    return 0;
}

bool Connection::send(std::string_view bytes) {
    bool sent = send_all(state_.fd, bytes);
    state_.mid_request.store(false);
    state_.last_active.store(ticks(Clock::now()), std::memory_order_relaxed);
    return sent;
}

Server::Server(std::vector<Endpoint> listeners, SocketOptions sockets, ServerLimits limits,
               ServiceHolder& services, ConnectionHandler handler, Logger& log)
    : endpoints_(std::move(listeners)), sockets_(sockets), limits_(limits), services_(services),
      handler_(std::move(handler)), log_(log) {
    wake_fd_ = eventfd(0, EFD_CLOEXEC);
    if (wake_fd_ < 0)
        throw std::runtime_error("eventfd: " + errno_text());
}

Server::~Server() {
    for (std::size_t i = 0; i < listeners_.size(); ++i) {
        close(listeners_[i]);
        if (endpoints_[i].unix_socket)
            unlink(endpoints_[i].path.c_str());
    }
    close(wake_fd_);
}

void Server::bind() {
    for (const Endpoint& e : endpoints_)
        listeners_.push_back(open_listener(e, sockets_));
}

std::size_t Server::connections() const {
    std::lock_guard lock(mutex_);
    return open_.size();
}

void Server::stop() {
    stopping_ = true;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    std::lock_guard lock(mutex_);
    for (const auto& [fd, c] : open_)
        shutdown(fd, SHUT_RDWR); // wakes the connection's wait
}

bool Server::close_longest_waiting(std::size_t listener) {
    std::shared_ptr<ConnectionState> victim;
    auto rank = [](const ConnectionState& c) {
        // Idle ones first, the longest idle; then the oldest of those mid-request.
        return std::pair(c.mid_request.load() ? 1 : 0,
                         c.mid_request.load() ? ticks(c.opened) : c.last_active.load());
    };
    for (const auto& [fd, c] : open_)
        if (c->listener == listener && !c->closing && (!victim || rank(*c) < rank(*victim)))
            victim = c;
    if (!victim)
        return false;
    shutdown(victim->fd, SHUT_RDWR); // its thread's wait ends; it closes the socket
    victim->closing = true;          // not chosen again while it goes
    return true;
}

void Server::make_room(std::size_t listener) {
    if (!close_longest_waiting(listener))
        return;
    RoomLog& r = room_log_[listener];
    ++r.closed;
    auto now = Clock::now();
    if (now - r.last >= std::chrono::minutes(1)) {
        log_.warning(endpoints_[listener].text + ": " + std::to_string(limits_.max_connections) +
                     " connections open (--max-connections); closed " +
                     std::to_string(r.closed) +
                     " that waited longest to make room for new ones (logged once a minute)");
        r.last = now;
        r.closed = 0;
    }
}

void Server::out_of_resources(std::size_t listener, int error) {
    // Paused first: the connection closed below wakes run() when it is gone (serve()).
    accept_paused_ = true;
    std::size_t fullest = 0;
    for (std::size_t i = 1; i < open_per_listener_.size(); ++i)
        if (open_per_listener_[i] > open_per_listener_[fullest])
            fullest = i;
    if (close_longest_waiting(fullest))
        ++resource_log_.closed;
    auto now = Clock::now();
    if (now - resource_log_.last < std::chrono::minutes(1))
        return;
    std::string why = std::strerror(error);
    if (error == EMFILE || error == ENFILE) {
        rlimit files{};
        getrlimit(RLIMIT_NOFILE, &files);
        why += error == EMFILE ? " (out of file descriptors: RLIMIT_NOFILE is " +
                                     std::to_string(files.rlim_cur) + ")"
                               : " (out of file descriptors system-wide)";
    }
    log_.warning(endpoints_[listener].text + ": accept: " + why + "; " +
                 std::to_string(open_.size()) + " connections open, closed " +
                 std::to_string(resource_log_.closed) +
                 " that waited longest to make room; accepting again as connections end "
                 "(logged once a minute)");
    resource_log_.last = now;
    resource_log_.closed = 0;
}

void Server::run() {
    using std::chrono::milliseconds;
    open_per_listener_.assign(listeners_.size(), 0);
    room_log_.assign(listeners_.size(), {});
    std::vector<pollfd> fds;
    for (int fd : listeners_)
        fds.push_back({fd, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    // While out of resources accept() rests until a connection ends or this time (a
    // descriptor may also come free elsewhere, an LDAP connection closed).
    constexpr auto rest = std::chrono::seconds(1);
    Clock::time_point resume{};
    while (!stopping_) {
        int timeout = -1;
        if (accept_paused_) {
            auto now = Clock::now();
            if (now >= resume)
                accept_paused_ = false;
            else
                timeout = static_cast<int>(
                    std::chrono::duration_cast<milliseconds>(resume - now).count() + 1);
        }
        const bool paused = accept_paused_;
        for (std::size_t i = 0; i < listeners_.size(); ++i)
            fds[i].fd = paused ? -1 : listeners_[i]; // poll() skips negative descriptors
        if (poll(fds.data(), fds.size(), timeout) < 0) {
            if (errno == EINTR)
                continue;
            log_.error(std::string("poll: ") + errno_text());
            break;
        }
        if (fds.back().revents & POLLIN) {
            // stop(), or a connection ended while accepting rested: try again now.
            std::uint64_t count = 0;
            [[maybe_unused]] auto n = read(wake_fd_, &count, sizeof count);
            accept_paused_ = false;
            continue;
        }
        for (std::size_t i = 0; i < listeners_.size() && !stopping_; ++i) {
            if (!(fds[i].revents & POLLIN))
                continue;
            int fd = accept4(listeners_[i], nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                int error = errno;
                if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
                    std::lock_guard lock(mutex_);
                    out_of_resources(i, error);
                    resume = Clock::now() + rest;
                    break;
                }
                if (error != EINTR && error != EAGAIN && error != ECONNABORTED)
                    log_.warning(endpoints_[i].text + ": accept: " + std::strerror(error));
                continue;
            }
            auto state = std::make_shared<ConnectionState>();
            state->fd = fd;
            state->listener = i;
            state->opened = Clock::now();
            state->last_active = ticks(state->opened);
            std::lock_guard lock(mutex_);
            if (open_per_listener_[i] >= limits_.max_connections)
                make_room(i);
            open_.emplace(fd, state);
            ++open_per_listener_[i];
            try {
                std::thread([this, state] { serve(state); }).detach();
            } catch (const std::system_error& e) {
                // No thread for it (RLIMIT_NPROC, memory): closed unserved, which the client
                // takes as "try again"; the daemon goes on.
                open_.erase(fd);
                --open_per_listener_[i];
                close(fd);
                out_of_resources(i, e.code().value());
                resume = Clock::now() + rest;
                break;
            }
        }
    }
    stop();
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return open_.empty(); });
}

void Server::serve(std::shared_ptr<ConnectionState> state) {
    const int fd = state->fd;
    timeval send_timeout{};
    send_timeout.tv_sec = static_cast<time_t>(limits_.idle_timeout.count());
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    try {
        Connection connection(*state, limits_, services_, stopping_, log_);
        handler_(connection);
    } catch (const std::exception& e) {
        log_.error(endpoints_[state->listener].text +
                   ": connection ended by an internal error: " + e.what());
    }
    std::lock_guard lock(mutex_);
    open_.erase(fd);
    --open_per_listener_[state->listener];
    close(fd);
    if (accept_paused_) {
        std::uint64_t one = 1; // a descriptor came free: run() may accept again
        [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    }
    if (open_.empty())
        idle_.notify_all();
}

} // namespace vmaildir::daemon
