// vmaildir-milter's signals (signal_relay.hpp).
#include "signal_relay.hpp"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdexcept>
#include <unistd.h>

namespace vmaildir::milter {

namespace {

int relay_fd = -1;
constexpr int relayed[] = {SIGHUP, SIGTERM, SIGINT};

extern "C" void relay(int sig) {
    int saved = errno;
    unsigned char byte = static_cast<unsigned char>(sig);
    [[maybe_unused]] ssize_t n = write(relay_fd, &byte, 1);
    errno = saved;
}

} // namespace

SignalRelay::SignalRelay() {
    if (pipe2(pipe_, O_CLOEXEC) != 0)
        throw std::runtime_error("cannot create the signal pipe");
    relay_fd = pipe_[1];
    struct sigaction sa {};
    sa.sa_handler = relay;
    sa.sa_flags = SA_RESTART;
    sigemptyset(&sa.sa_mask);
    for (int sig : relayed)
        sigaction(sig, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    for (int sig : relayed)
        sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
}

SignalRelay::~SignalRelay() {
    for (int sig : relayed)
        std::signal(sig, SIG_DFL);
    relay_fd = -1;
    close(pipe_[0]);
    close(pipe_[1]);
}

int SignalRelay::wait() {
    for (;;) {
        // poll() first: under ThreadSanitizer a handler only runs inside calls the sanitizer
        // counts as blocking, which poll() is and read() is not (a read() restarted after
        // SA_RESTART would wait for ever with the signal still queued).
        pollfd readable{pipe_[0], POLLIN, 0};
        if (poll(&readable, 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        unsigned char byte = 0;
        ssize_t n = read(pipe_[0], &byte, 1);
        if (n == 1)
            return byte;
        if (n < 0 && errno == EINTR)
            continue;
        return 0;
    }
}

void SignalRelay::wake() {
    unsigned char byte = 0;
    [[maybe_unused]] ssize_t n = write(pipe_[1], &byte, 1);
}

void SignalRelay::block_in_this_thread() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : relayed)
        sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

} // namespace vmaildir::milter

// libmilter's own signal thread (libmilter/signal.c, mi_signal_thread) is the one caller of
// sigwait() here that waits for SIGHUP: it waits for SIGHUP, SIGTERM and SIGINT and stops the
// milter on any of them.  Handlers on the main thread alone do not keep signals away from it:
// a thread inside sigwait() counts as accepting what it waits for, and Linux prefers the main
// thread only while that thread can take the signal at that very instant (not, for one, while
// it runs the handler for the previous SIGHUP; SA_NODEFER narrows the window but does not
// close it).  Under load, bursts of SIGHUPs then stopped the milter -- silently, with exit
// status 0 (tests/integration/drills_test.cpp, "100 SIGHUPs to vmaildir-milter").
// libmilter has no option to go without that thread, so the executable's own sigwait()
// (which the dynamic linker binds libmilter's call to, ahead of libc's) parks it for good:
// it sleeps with the three signals still blocked, and the main thread becomes the only one
// that can take them.
// Every other caller (liblmdb waits for SIGPIPE) gets sigwait() as POSIX specifies it.
extern "C" int sigwait(const sigset_t* __restrict set, int* __restrict sig) noexcept {
    if (sigismember(set, SIGHUP) == 1) {
        for (;;)
            pause(); // only a handler running on this thread ends it; then sleep again
    }
    for (;;) {
        int got = sigtimedwait(set, nullptr, nullptr);
        if (got > 0) {
            *sig = got;
            return 0;
        }
        if (errno != EINTR)
            return errno;
    }
}
