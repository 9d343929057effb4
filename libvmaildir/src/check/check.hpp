// The directory consistency check behind `vmaildir check`.
#pragma once

#include "model/mail_reader.hpp"
#include "resolve/resolver.hpp"
#include "vmaildir/check/report.hpp"

namespace vmaildir {

/// Reads the whole tree once, then replays SPEC §3 on an in-memory copy of it with the very
/// resolver the daemons use (uncached, with `settings`' limits): domains lacking postmaster@
/// or abuse@ (RFC 2142), alias loops, duplicate addresses, catch-alls, malformed entries,
/// dangling destinations.  temp_fail when the directory cannot be read.
Result<CheckReport> check_directory(MailReader& reader, const ResolverSettings& settings,
                                    Logger& log);

} // namespace vmaildir
