// Giving up root once the listeners are open.
#pragma once

#include "vmaildir/util/log.hpp"

#include <string>

namespace vmaildir::daemon {

/// Whether drop_privileges(user) can find `user` (always true when not root); false, with
/// "no such user" logged, when not.  Asked before the listeners are opened, so that a daemon
/// that cannot drop root leaves no socket behind.
bool user_known(const std::string& user, Logger& log);

/// Becomes `user` for good when running as root — supplementary groups, gid, uid, in that
/// order — and checks that root cannot be regained.  Does nothing when not root.  false,
/// with the reason logged, when it cannot.
bool drop_privileges(const std::string& user, Logger& log);

} // namespace vmaildir::daemon
