// One client connection of the Dovecot authentication listener: the handshake,
// then requests answered from the current Service's authenticate() (SPEC §4),
// every temporary failure logged with its reason before the connection closes.
#pragma once

#include "vmaildir/daemon/server.hpp"

#include <string>

namespace vmaildir::dovecot {

/// Serves one connection until the client closes, the idle timeout passes, or a reply
/// needs the connection closed (auth_protocol.hpp).  `listener` names it in logs.
void serve_auth(daemon::Connection& connection, const std::string& listener);

} // namespace vmaildir::dovecot
