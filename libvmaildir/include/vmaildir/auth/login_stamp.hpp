// The login-cache stamp (auth_cache_stamp): one file per host whose change makes
// every process forget the logins it verified (auth_cache_ttl), so that a new
// password, a disabled account or a deletion takes effect at once everywhere
// on the host, not only in the process that made the change.  Writers: the
// administration commands and password changes; readers: the login caches,
// with one stat(2) per login they would answer.
#pragma once

#include <cstdint>
#include <string>

namespace vmaildir {

/// A number that changes whenever the file is written (from its inode, modification time
/// and size); 0 when there is no such file or it cannot be examined.  Thread-safe.
std::uint64_t login_stamp_version(const std::string& path) noexcept;

/// Writes the file (creating it with mode 0644; never through a symbolic link) so that its
/// version changes.  true when written, or when `path` is empty (no stamp configured); false
/// with `problem` saying why it could not be.
bool touch_login_stamp(const std::string& path, std::string& problem);

} // namespace vmaildir
