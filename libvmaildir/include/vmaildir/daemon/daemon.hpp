// The skeleton every long-running adapter stands on (vmaildir-postfix now, the
// Exim lookup server next): the common options and their checks, then
// run_daemon(), which does everything but the protocol —
//   configuration → logger → Service (a broken configuration still serves,
//   answering temporary failures), listeners opened with their modes, privileges
//   dropped, connections served with the adapter's handler, SIGHUP rereading the
//   configuration (keeping the running one when the new one is broken), SIGTERM
//   stopping cleanly with exit status 0.
// A daemon whose host owns the sockets (a milter under libmilter) uses the
// pieces instead: Bootstrap, drop_privileges, SignalWatcher, ServiceHolder.
#pragma once

#include "vmaildir/daemon/command_line.hpp"
#include "vmaildir/daemon/listener.hpp"
#include "vmaildir/daemon/server.hpp"

#include <string>
#include <variant>
#include <vector>

namespace vmaildir::daemon {

/// An adapter's defaults for the common options.
struct DaemonDefaults {
    std::string user = "nobody";
    std::string socket_group; ///< empty: leave the group as created
    std::string socket_mode = "0660";
    std::string idle_timeout = "300";
    /// Our Server accepts the connections: offer --max-connections and --request-timeout
    /// (a milter's library owns its sockets and has neither).
    bool own_server = true;
};

/// The common options: --config, --user, --socket-group, --socket-mode, --max-connections,
/// --idle-timeout, --request-timeout, --log, --verbose.  Add the adapter's own to them.
std::vector<Option> daemon_options(const DaemonDefaults& defaults);

/// What the common options say.
struct DaemonSettings {
    std::string config_path;
    std::string user;
    SocketOptions sockets;
    ServerLimits limits;
    std::string log_target; ///< "" = the configuration's `log`
    bool verbose = false;   ///< log every lookup (debug)
};

/// Checks the common options: a known group, an octal mode of at most 0777, counts and
/// times above zero.  The problem, for usage_error(), when one is wrong.
std::variant<DaemonSettings, std::string> daemon_settings(const CommandLine& command_line);

/// Parses every `--listen` value with the adapter's `parse` (text → variant<Spec, problem>):
/// the specifications in order, or the problem for usage_error() ("--listen ..." quoted, or
/// that none was given).
template <class Spec, class Parse>
std::variant<std::vector<Spec>, std::string> listen_specs(const CommandLine& command_line,
                                                          Parse parse) {
    std::vector<Spec> specs;
    for (const std::string& text : command_line.values("listen")) {
        auto spec = parse(text);
        if (auto* problem = std::get_if<std::string>(&spec))
            return "--listen " + *problem;
        specs.push_back(std::get<Spec>(std::move(spec)));
    }
    if (specs.empty())
        return std::string("give at least one --listen SPEC");
    return specs;
}

/// Runs the daemon until SIGTERM or SIGINT: see the top of this file.  `listeners` are served
/// by `handler`; Connection::listener() is the index into them.  Returns the exit status: 0
/// after a signal, 71 (EX_OSERR) when a listener cannot be opened or root cannot be dropped.
int run_daemon(const Program& program, const DaemonSettings& settings,
               std::vector<Endpoint> listeners, ConnectionHandler handler);

} // namespace vmaildir::daemon
