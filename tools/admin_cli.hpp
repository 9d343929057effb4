// vmaildir(1)'s administration commands (SPEC §5): domain, account, alias,
// catchall and postmaster.  Each acts as the administrator who binds (--as DN
// with that DN's own password, or SASL EXTERNAL over ldapi:// for root), is
// asked of decide() before anything is sent, and is applied through that
// identity's own session, so that slapd's access rules judge it as well.
#pragma once

#include "vmaildir/daemon/command_line.hpp"
#include "vmaildir/service/service.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir::cli {

/// Reads one secret line; on a terminal with `prompt` and without echo.
using SecretReader = std::function<std::string(const char* prompt)>;

/// Whether `command` is one of the administration commands.
bool is_admin_command(std::string_view command);

/// The administration part of `vmaildir --help`.
extern const char* const admin_usage;

/// The options only the administration commands read.
std::vector<daemon::Option> admin_options();

/// Runs the administration command the command line names over `service`'s directory; the
/// exit status: 0 done, 1 refused (with the reason on stderr), 64 usage, 75 temporary failure.
int run_admin(const daemon::CommandLine& command_line, Service& service, Logger& log,
              const SecretReader& read_secret);

} // namespace vmaildir::cli
