// Where a daemon listens: a unix socket with a tight mode and group, or a
// numeric TCP address (loopback in every example), written as
//   unix:/var/spool/postfix/private/vmaildir    inet:127.0.0.1:2526    inet:[::1]:2526
// Adapters prefix it with their protocol ("socketmap:unix:/path").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <variant>

namespace vmaildir::daemon {

struct Endpoint {
    bool unix_socket = true;
    std::string path; ///< unix: absolute
    std::string host; ///< inet: numeric, IPv6 without brackets
    int port = 0;     ///< inet
    std::string text; ///< as the operator wrote it, for logs (set by whoever parses it)
};

/// Parses "unix:PATH" or "inet:HOST:PORT", or says what is wrong with it.
std::variant<Endpoint, std::string> parse_endpoint(std::string_view text);

/// How unix sockets are created: with no access at all, then opened to exactly this mode and
/// group, before the daemon drops its privileges.
struct SocketOptions {
    mode_t mode = 0660;
    std::optional<gid_t> group;
};

/// A bound, listening socket (close-on-exec).  A stale unix socket of an earlier run is
/// replaced; a file there that is not a socket is never removed.  Throws std::runtime_error
/// naming the endpoint.
int open_listener(const Endpoint& endpoint, const SocketOptions& options);

} // namespace vmaildir::daemon
