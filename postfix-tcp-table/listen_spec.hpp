// Where vmaildir-postfix listens, written like the Postfix table that reaches it:
//   socketmap:unix:/path          socketmap:inet:127.0.0.1:2526     socketmap:inet:[::1]:2526
//   tcp:inet:127.0.0.1:2527:MAP   (tcp_table carries no map name; Postfix reaches it over TCP only)
//   dovecot-auth:unix:/var/spool/postfix/private/vmaildir-auth   (smtpd_sasl_type = dovecot,
//                                 SMTP AUTH over the Dovecot protocol, dovecot-auth/)
#pragma once

#include "vmaildir/daemon/listener.hpp"
#include "vmaildir/resolve/maps.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vmaildir::postfix {

enum class Protocol { socketmap, tcp_table, dovecot_auth };

/// An endpoint with the protocol spoken on it; `text` is the whole specification.
struct ListenSpec : daemon::Endpoint {
    Protocol protocol = Protocol::socketmap;
    std::optional<MapName> map; ///< tcp_table only
};

/// Parses a listener specification, or says what is wrong with it (quoting it).
std::variant<ListenSpec, std::string> parse_listen_spec(std::string_view spec);

} // namespace vmaildir::postfix
