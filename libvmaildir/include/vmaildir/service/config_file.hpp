// Reading the one configuration file every adapter reads (SPEC §6), with the
// keys of the core and of every directory backend vmaildir has.
//
// Unknown keys, bad values and missing required keys are ConfigErrors naming
// the file, the line and the key (vmaildir/config/config.hpp).
#pragma once

#include "vmaildir/config/config.hpp"

#include <istream>
#include <string>

namespace vmaildir {

/// Reads and validates a configuration file (also reading bind_pw_file).  Throws ConfigError.
Config load_config(const std::string& path);
/// Parses configuration text; `source` names it in errors; relative paths in it
/// (bind_pw_file, ldif_file, tls_*) are taken relative to `base_dir`.  Throws ConfigError.
Config parse_config(std::istream& in, const std::string& source, const std::string& base_dir = ".");

/// Man-page style reference of every key: name, default, meaning.
std::string config_reference();

} // namespace vmaildir
