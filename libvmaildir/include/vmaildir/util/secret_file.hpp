// Reading a password file such as bind_pw_file: its first line, without the line end.
#pragma once

#include <optional>
#include <string>

namespace vmaildir::util {

/// The first line of the file at `path` (blanks inside and at the end kept, CR/LF dropped), or
/// nothing with `problem` set ("cannot read 'PATH'", "'PATH' is empty"); the problem never
/// contains the secret.
std::optional<std::string> read_secret_file(const std::string& path, std::string& problem);

} // namespace vmaildir::util
