// Dropping root (privileges.hpp).
#include "vmaildir/daemon/privileges.hpp"

#include <cerrno>
#include <cstring>
#include <grp.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace vmaildir::daemon {

bool user_known(const std::string& user, Logger& log) {
    if (geteuid() != 0 || getpwnam(user.c_str()) != nullptr)
        return true;
    log.error("--user " + user + ": no such user");
    return false;
}

bool drop_privileges(const std::string& user, Logger& log) {
    if (geteuid() != 0)
        return true;
    errno = 0;
    passwd* pw = getpwnam(user.c_str());
    if (!pw) {
        log.error("--user " + user + ": no such user");
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        log.error("dropping privileges to " + user + ": " + std::strerror(errno));
        return false;
    }
    if (setuid(0) == 0) {
        log.error("dropping privileges to " + user + ": root could be regained");
        return false;
    }
#ifdef VMAILDIR_SANITIZED
    // setuid() made the process non-dumpable, and LeakSanitizer's check at exit attaches to
    // the process's own threads with ptrace, which that forbids: sanitizer builds only.
    prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
#endif
    return true;
}

} // namespace vmaildir::daemon
