// SIGTERM, SIGINT and SIGHUP for a daemon: taken by one thread that waits for
// them (sigwait), never by a handler interrupting whatever runs.
#pragma once

#include <functional>
#include <thread>

namespace vmaildir::daemon {

/// Blocks SIGTERM, SIGINT and SIGHUP in the calling thread, and so in every thread it starts
/// afterwards, and ignores SIGPIPE.  Call it first, before any thread exists.
void block_daemon_signals();

/// Waits for the blocked signals on a thread of its own: SIGHUP calls `on_reload` and goes on
/// waiting; SIGTERM or SIGINT calls `on_stop` and ends the watch.
class SignalWatcher {
public:
    SignalWatcher(std::function<void()> on_reload, std::function<void(int signal)> on_stop);
    /// Ends the watch (if no signal has) and joins its thread.
    ~SignalWatcher();
    SignalWatcher(const SignalWatcher&) = delete;
    SignalWatcher& operator=(const SignalWatcher&) = delete;

private:
    std::thread thread_;
};

} // namespace vmaildir::daemon
