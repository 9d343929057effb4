// The LDIF backend: answers from an LDIF file held in memory (`ldif_file`), for
// tests and for checking a directory before it is loaded.
#pragma once

#include "directory/backend.hpp"

namespace vmaildir {

const Backend& ldif_backend();

/// The LDIF file a configuration answers from, or nullptr when it does not use one.
const std::string* ldif_path(const Config& config);

} // namespace vmaildir
