// Choosing the LDIF backend from code: what `ldif_file = PATH` in vmaildir.conf
// does, for `vmaildir --ldif FILE` (check a directory before loading it).
#pragma once

#include "vmaildir/config/config.hpp"

#include <string>

namespace vmaildir {

/// Makes `config` answer from the LDIF file at `path` (read when the service opens; a file
/// that cannot be read or parsed then gives a broken service naming the problem).
void use_ldif_file(Config& config, std::string path);

} // namespace vmaildir
