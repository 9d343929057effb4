// Reading the one configuration file every adapter reads (SPEC §6), with the
// keys of the core and of every directory backend vmaildir has.
//
// Unknown keys, bad values and missing required keys are ConfigErrors naming
// the file, the line and the key (vmaildir/config/config.hpp).
#pragma once

#include "vmaildir/config/config.hpp"

#include <istream>
#include <string>
#include <vector>

namespace vmaildir {

/// Reads and validates a configuration file (also reading bind_pw_file).  Throws ConfigError.
Config load_config(const std::string& path);
/// Parses configuration text; `source` names it in errors; relative paths in it
/// (bind_pw_file, ldif_file, tls_*) are taken relative to `base_dir`.  Throws ConfigError.
Config parse_config(std::istream& in, const std::string& source, const std::string& base_dir = ".");

/// One key of the configuration file, as the reference describes it.
struct ConfigKeyInfo {
    std::string name;
    /// Who reads it: "core", or the backend that owns it ("ldif", "replica", "ldap").
    std::string owner;
    bool required = false;
    /// The default as `vmaildir config-keys` prints it ("10s", "(preset)"); empty when the key
    /// is required or empty by default.
    std::string default_text;
    std::string help;
    bool multi = false; ///< may be given several times; the values accumulate
};

/// Every key the file accepts, in reference order: the core's, then each backend's in the
/// registry's order.  The one table behind config_reference() and vmaildir.conf(5), so the
/// two cannot differ.  Thread-safe (builds a new vector each call).
std::vector<ConfigKeyInfo> config_keys();

/// Man-page style reference of every key (config_keys()): name, default, meaning.
std::string config_reference();

} // namespace vmaildir
