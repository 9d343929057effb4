// Signals for vmaildir-milter.
//
// libmilter starts a thread of its own that sigwait()s for SIGHUP, SIGTERM and
// SIGINT and stops the milter on any of them, SIGHUP included.  The daemon
// skeleton's SignalWatcher (vmaildir/daemon/signals.hpp) would compete with it
// for every signal.  So the milter catches them with handlers instead, on its
// main thread, which keeps them unblocked while smfi_main() runs on another
// thread with them blocked: Linux delivers a signal sent to the process to its
// main thread whenever that thread accepts it, so SIGHUP reloads and SIGTERM
// stops through smfi_stop() — the same meanings as every other vmaildir daemon.
// Because a thread in sigwait() still competes for a signal the main thread cannot
// take at that instant, signal_relay.cpp also replaces sigwait() for libmilter's
// thread so that it never takes one (docs/decisions.md, "Milter").
#pragma once

namespace vmaildir::milter {

/// One per process, made on the main thread before any other thread starts.
class SignalRelay {
public:
    /// Catches SIGHUP, SIGTERM and SIGINT (the handler only writes to a pipe); ignores SIGPIPE.
    SignalRelay();
    /// Restores the default actions.
    ~SignalRelay();
    SignalRelay(const SignalRelay&) = delete;
    SignalRelay& operator=(const SignalRelay&) = delete;

    /// Waits for a signal or wake(): the signal's number, or 0 after wake().
    int wait();
    /// Makes wait() return 0 (from any thread).
    void wake();
    /// Blocks the three signals in the calling thread, and so in the threads it starts.
    static void block_in_this_thread();

private:
    int pipe_[2] = {-1, -1};
};

} // namespace vmaildir::milter
