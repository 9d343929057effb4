// Reading a password file such as bind_pw_file: its first line, without the line end.
#pragma once

#include <optional>
#include <string>

namespace vmaildir::util {

/// Who reads the file, which decides the layout a problem recommends.
enum class SecretReader {
    daemon, ///< the configuration's bind_pw_file: reread after the drop of root, on SIGHUP
    person, ///< a command's own password file (vmaildir --bind-pw-file, --password-file)
};

/// The first line of the file at `path` (blanks inside and at the end kept, CR/LF dropped), or
/// nothing with `problem` set: it cannot be read, is not a regular file, is open to every user
/// (mode o+r or o+w: refused, as ssh refuses such a key), or its first line is empty.  A
/// problem with the file's permissions names the layout that works for `reader`.  The problem
/// never contains the secret.
std::optional<std::string> read_secret_file(const std::string& path, std::string& problem,
                                            SecretReader reader = SecretReader::daemon);

} // namespace vmaildir::util
