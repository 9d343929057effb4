// The request loop of the line protocols (Postfix's tcp_table, Dovecot's authentication
// protocol): bytes read from one Connection as they arrive, each whole line handed to the
// protocol, and a line longer than the limit refused however its bytes arrive
// (util::LineReader).  The protocol keeps only its replies and its logs.
#pragma once

#include "vmaildir/daemon/server.hpp"

#include <cstddef>
#include <functional>
#include <string_view>

namespace vmaildir::daemon {

/// What the protocol does with a line (without its LF): false ends the connection.
using LineHandler = std::function<bool(std::string_view line)>;
/// Called once when the next line is longer than max_line, before the connection ends (the
/// rest of the stream is not read): to log it and send a last reply.
using TooLongHandler = std::function<void()>;

/// Serves `connection` line by line until the peer closes, the idle timeout or the request's
/// deadline passes, `on_line` returns false, or a line is too long.  A partly received line
/// counts as a request in progress (Connection::receive's `partial`).
void serve_lines(Connection& connection, std::size_t max_line, const LineHandler& on_line,
                 const TooLongHandler& on_too_long);

} // namespace vmaildir::daemon
