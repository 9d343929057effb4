// The directory backends vmaildir knows, in one table (backends.cpp): adding a
// backend is one folder and one line there.
#pragma once

#include "directory/backend.hpp"

#include <vector>

namespace vmaildir {

/// Every backend, in the order they are chosen: the first one the configuration sets up
/// answers (LDIF when `ldif_file` is set, the replica when `replica` is; LDAP, which is always set
/// up, otherwise).
const std::vector<const Backend*>& backends();

/// Opens the directory of the backend `config` chose; temp_fail naming the problem when it
/// cannot (or when the configuration names no backend the table has).
Result<std::unique_ptr<Directory>> open_directory(const Config& config,
                                                  const BackendContext& context);

} // namespace vmaildir
