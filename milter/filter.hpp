// vmaildir-milter's filter: libmilter's callbacks over the shared Service.
//
// libmilter (Debian's 8.17, worker-pool model) runs one connection's callbacks
// in order but on any of its threads, and many connections at once.  So a
// connection's state lives in its SMFICTX (smfi_setpriv), never in a thread,
// and every connection shares the one Service (one cache, one LDAP pool; the
// pool gives each lookup a handle of its own).  The state of a message is
// reset at MAIL and on abort, and freed with the connection at close.
#pragma once

#include "replies.hpp"
#include "vmaildir/daemon/listener.hpp"
#include "vmaildir/daemon/service_holder.hpp"

#include <string>

namespace vmaildir::milter {

struct FilterSettings {
    Mode mode = Mode::reject;
    UnauthenticatedSenders unauthenticated = UnauthenticatedSenders::off;
    int timeout = 7210; ///< seconds libmilter waits for the MTA (smfi_settimeout)
};

/// Whether `spec` is a socket libmilter can listen on ("unix:/abs/path", "local:/abs/path",
/// "inet:PORT@HOST", "inet6:PORT@HOST"): empty when it is, else the problem.
std::string check_socket_spec(const std::string& spec);

/// One per process (libmilter's callbacks reach it through a global).
class Filter {
public:
    /// `services` and `log` must outlive it.
    Filter(daemon::ServiceHolder& services, FilterSettings settings, Logger& log);
    ~Filter();
    Filter(const Filter&) = delete;
    Filter& operator=(const Filter&) = delete;

    /// Registers with libmilter and opens the socket (a stale unix socket is replaced), then
    /// gives a unix socket its group and mode.  false, logged, when it cannot.
    bool open(const std::string& spec, const daemon::SocketOptions& sockets);
    /// smfi_main(): serves until stop() or a signal libmilter takes itself; true when it
    /// ended cleanly.
    bool run();
    /// Asks run() to return (smfi_stop); from any thread.
    static void stop();

    const FilterSettings& settings() const noexcept { return settings_; }
    daemon::ServiceHolder& services() noexcept { return services_; }
    Logger& log() noexcept { return log_; }

private:
    daemon::ServiceHolder& services_;
    FilterSettings settings_;
    Logger& log_;
};

} // namespace vmaildir::milter
