// Giving up root once the listeners are open.
#pragma once

#include "vmaildir/util/log.hpp"

#include <string>

namespace vmaildir::daemon {

/// Becomes `user` for good when running as root — supplementary groups, gid, uid, in that
/// order — and checks that root cannot be regained.  Does nothing when not root.  false,
/// with the reason logged, when it cannot.
bool drop_privileges(const std::string& user, Logger& log);

} // namespace vmaildir::daemon
