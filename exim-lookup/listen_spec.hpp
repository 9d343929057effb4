// Where vmaildir-exim listens, and the protocol spoken there:
//   readsocket:unix:/run/vmaildir/exim.sock     readsocket:inet:127.0.0.1:2528
//   readsocket:inet:[::1]:2528                  (Exim's ${readsocket}, protocol.hpp)
//   dovecot-auth:unix:/run/vmaildir/exim-auth.sock   (SMTP AUTH for Exim's dovecot
//   dovecot-auth:inet:127.0.0.1:2529                  authenticator, dovecot-auth/)
#pragma once

#include "vmaildir/daemon/listener.hpp"

#include <string>
#include <string_view>
#include <variant>

namespace vmaildir::exim {

enum class Protocol { readsocket, dovecot_auth };

/// An endpoint with the protocol spoken on it; `text` is the whole specification.
struct ListenSpec : daemon::Endpoint {
    Protocol protocol = Protocol::readsocket;
};

/// Parses a listener specification, or says what is wrong with it (quoting it).
std::variant<ListenSpec, std::string> parse_listen_spec(std::string_view spec);

} // namespace vmaildir::exim
