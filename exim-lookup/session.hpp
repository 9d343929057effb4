// One Exim connection: read the request, answer it from the current Service,
// log every temporary failure with its reason; the server then closes.
#pragma once

#include "listen_spec.hpp"
#include "vmaildir/daemon/server.hpp"

namespace vmaildir::exim {

/// Serves the one ${readsocket} request of a connection (protocol.hpp).
void serve_readsocket(daemon::Connection& connection, const ListenSpec& spec);

} // namespace vmaildir::exim
