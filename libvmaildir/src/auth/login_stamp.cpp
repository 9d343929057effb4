// The login-cache stamp (vmaildir/auth/login_stamp.hpp).
#include "vmaildir/auth/login_stamp.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmaildir {

std::uint64_t login_stamp_version(const std::string& path) noexcept {
    struct stat st {};
    if (path.empty() || stat(path.c_str(), &st) != 0)
        return 0;
    // FNV-1a over the fields that a rewrite changes; never 0 for a file that exists.
    std::uint64_t h = 1469598103934665603ULL;
    for (std::uint64_t v :
         {static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_mtim.tv_sec),
          static_cast<std::uint64_t>(st.st_mtim.tv_nsec), static_cast<std::uint64_t>(st.st_size)})
        for (int i = 0; i < 8; ++i)
            h = (h ^ ((v >> (8 * i)) & 0xff)) * 1099511628211ULL;
    return h ? h : 1;
}

bool touch_login_stamp(const std::string& path, std::string& problem) {
    if (path.empty())
        return true;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        problem = "cannot write the login-cache stamp " + path + ": " + std::strerror(errno);
        return false;
    }
    // The time in nanoseconds as the content: the size may change too, so the version changes
    // even where modification times are coarse.
    const std::string text =
        std::to_string(std::chrono::system_clock::now().time_since_epoch().count()) + "\n";
    bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
              futimens(fd, nullptr) == 0;
    if (!ok)
        problem = "cannot write the login-cache stamp " + path + ": " + std::strerror(errno);
    if (close(fd) != 0 && ok) {
        problem = "cannot write the login-cache stamp " + path + ": " + std::strerror(errno);
        ok = false;
    }
    return ok;
}

} // namespace vmaildir
