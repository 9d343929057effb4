// One Postfix client connection: the request loop of each protocol
// (protocol.hpp), answering every request from the current Service and logging
// each temporary failure with its reason.
#pragma once

#include "listen_spec.hpp"
#include "vmaildir/daemon/server.hpp"

namespace vmaildir::postfix {

/// Serves socketmap requests until the client closes, the idle timeout passes or the framing
/// is lost (a malformed netstring gets one TEMP reply, then the connection is closed).
void serve_socketmap(daemon::Connection& connection, const ListenSpec& spec);
/// Serves tcp_table `get` requests for the listener's map, likewise.
void serve_tcp_table(daemon::Connection& connection, const ListenSpec& spec);

} // namespace vmaildir::postfix
