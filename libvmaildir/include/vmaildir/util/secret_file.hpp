// Reading a password file such as bind_pw_file: its first line, without the line end.
#pragma once

#include <optional>
#include <string>

namespace vmaildir::util {

/// The first line of the file at `path` (blanks inside and at the end kept, CR/LF dropped), or
/// nothing with `problem` set: it cannot be read (with the layout that works after a daemon
/// drops root), is not a regular file, is open to every user (mode o+r or o+w: refused, as
/// ssh refuses such a key), or its first line is empty.  The problem never contains the
/// secret.
std::optional<std::string> read_secret_file(const std::string& path, std::string& problem);

} // namespace vmaildir::util
