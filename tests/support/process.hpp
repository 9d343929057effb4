// Child processes the tests start themselves and stop by PID, and free ports.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace vmaildir::test {

/// Whether 127.0.0.1:port can be bound now.
inline bool port_bindable(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

/// A free TCP port on 127.0.0.1 (found free, not held: whoever gets it binds it soon).
/// Under ctest each integration test has a block of 1000 ports of its own below the
/// ephemeral range (VMAILDIR_TEST_PORT_BASE, tests/CMakeLists.txt), so tests running at once
/// never pick the same port and outgoing connections never hold one: the upper half is
/// handed out here, one port after another, and the slapd harness picks in the lower half.
/// Without it, the kernel picks one.
inline int free_port() {
    if (const char* base_env = std::getenv("VMAILDIR_TEST_PORT_BASE")) {
        static std::atomic<unsigned> next{0};
        const int base = std::atoi(base_env) + 500;
        for (int i = 0; i < 500; ++i) {
            int port = base + static_cast<int>(next.fetch_add(1) % 500);
            if (port_bindable(port))
                return port;
        }
        throw std::runtime_error("no free port in the test's block");
    }
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
        close(fd);
        throw std::runtime_error("no free port");
    }
    close(fd);
    return ntohs(a.sin_port);
}

/// Whether something accepts connections on 127.0.0.1:port.
inline bool tcp_open(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

/// Whether something accepts connections on a unix socket.
inline bool unix_open(const std::string& path) {
    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    return ok;
}

/// Polls `ready` every 50 ms for up to `limit`.
template <class F> bool wait_for(F ready, std::chrono::milliseconds limit) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
        if (ready())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return ready();
}

/// A child process with stdout and stderr in a log file; SIGTERM (then SIGKILL) on stop.
class Process {
public:
    Process(const std::vector<std::string>& argv, const std::string& log_path) {
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(),
                                         O_WRONLY | O_CREAT | O_APPEND, 0644);
        posix_spawn_file_actions_adddup2(&actions, 1, 2);
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        int rc = posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (rc != 0)
            throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    }
    ~Process() { stop(); }
    Process(const Process&) = delete;
    Process& operator=(const Process&) = delete;

    pid_t pid() const { return pid_; }
    bool running() const { return pid_ > 0 && waitpid(pid_, nullptr, WNOHANG) == 0; }

    /// SIGTERM, wait up to `grace`, then SIGKILL.  Returns the exit status (-1 if killed).
    int stop(std::chrono::milliseconds grace = std::chrono::milliseconds(5000)) {
        if (pid_ <= 0)
            return status_;
        kill(pid_, SIGTERM);
        auto until = std::chrono::steady_clock::now() + grace;
        int status = 0;
        while (waitpid(pid_, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > until) {
                kill(pid_, SIGKILL);
                waitpid(pid_, &status, 0);
                pid_ = -1;
                return status_ = -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        pid_ = -1;
        return status_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

private:
    pid_t pid_ = -1;
    int status_ = -1;
};

} // namespace vmaildir::test
