// The keys the core itself reads: the search base and lookup budget, the model,
// the caches, authentication, delegated administration and logging.  Backends
// read their own keys (directory/backend.hpp).
#pragma once

#include "config/keys.hpp"
#include "vmaildir/config/config.hpp"

#include <vector>

namespace vmaildir {

/// The table, in reference order.
const std::vector<Key<Config>>& core_keys();

/// Applies the core keys of `text` to `config` (the schema preset first, so that per-name
/// overrides apply on top of it wherever they stand), then checks what spans several keys.
/// Throws ConfigError.
void read_core_settings(const ConfigText& text, Config& config);

} // namespace vmaildir
