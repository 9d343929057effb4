// The signal thread (signals.hpp).
#include "vmaildir/daemon/signals.hpp"

#include <pthread.h>
#include <signal.h>

namespace vmaildir::daemon {

namespace {

sigset_t daemon_signals() {
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&set, s);
    return set;
}

} // namespace

void block_daemon_signals() {
    sigset_t set = daemon_signals();
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
}

SignalWatcher::SignalWatcher(std::function<void()> on_reload,
                             std::function<void(int signal)> on_stop)
    : thread_([reload = std::move(on_reload), stop = std::move(on_stop)] {
          sigset_t set = daemon_signals();
          while (true) {
              int sig = 0;
              if (sigwait(&set, &sig) != 0)
                  continue;
              if (sig == SIGHUP) {
                  reload();
                  continue;
              }
              stop(sig);
              return;
          }
      }) {}

SignalWatcher::~SignalWatcher() {
    // The watch may still be waiting (the server ended on its own): a SIGTERM to its thread
    // ends it.  After a signal has ended it, the thread is gone and this does nothing.
    pthread_kill(thread_.native_handle(), SIGTERM);
    thread_.join();
}

} // namespace vmaildir::daemon
