// Listeners and connections (vmaildir/daemon/server.hpp).
#include "vmaildir/daemon/server.hpp"

#include <cerrno>
#include <cstring>
#include <poll.h>
#include <stdexcept>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
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

std::size_t Connection::receive(char* buffer, std::size_t size) {
    while (!stopping_) {
        ssize_t n = recv(fd_, buffer, size, 0);
        if (n < 0 && errno == EINTR)
            continue;
        return n > 0 ? static_cast<std::size_t>(n) : 0; // closed, idle timeout, or stop()
    }
    return 0;
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
    for (int fd : open_)
        shutdown(fd, SHUT_RDWR); // wakes the connection's blocked read
}

void Server::run() {
    std::vector<pollfd> fds;
    for (int fd : listeners_)
        fds.push_back({fd, POLLIN, 0});
    fds.push_back({wake_fd_, POLLIN, 0});
    while (!stopping_) {
        if (poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR)
                continue;
            log_.error(std::string("poll: ") + errno_text());
            break;
        }
        for (std::size_t i = 0; i < listeners_.size() && !stopping_; ++i) {
            if (!(fds[i].revents & POLLIN))
                continue;
            int fd = accept4(listeners_[i], nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno != EINTR && errno != EAGAIN && errno != ECONNABORTED)
                    log_.warning(endpoints_[i].text + ": accept: " + errno_text());
                continue;
            }
            std::lock_guard lock(mutex_);
            if (open_.size() >= limits_.max_connections) {
                log_.warning(endpoints_[i].text + ": more than " +
                             std::to_string(limits_.max_connections) +
                             " connections, refusing one (see --max-connections)");
                close(fd);
                continue;
            }
            open_.insert(fd);
            std::thread([this, fd, i] { serve(fd, i); }).detach();
        }
    }
    stop();
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [&] { return open_.empty(); });
}

void Server::serve(int fd, std::size_t listener) {
    timeval idle{};
    idle.tv_sec = static_cast<time_t>(limits_.idle_timeout.count());
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &idle, sizeof idle);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &idle, sizeof idle);
    try {
        Connection connection(fd, listener, services_, stopping_, log_);
        handler_(connection);
    } catch (const std::exception& e) {
        log_.error(endpoints_[listener].text +
                   ": connection ended by an internal error: " + e.what());
    }
    std::lock_guard lock(mutex_);
    open_.erase(fd);
    close(fd);
    if (open_.empty())
        idle_.notify_all();
}

} // namespace vmaildir::daemon
