// A directory backend as the composition root sees it: the keys it owns, how it
// parses them into its own settings, and how it opens a Directory from them.
// service/backends.cpp lists every backend in one table, as Postfix's
// dict_open.c lists its table types.
#pragma once

#include "config/config_text.hpp"
#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/directory.hpp"
#include "vmaildir/directory/memory_directory.hpp"
#include "vmaildir/util/log.hpp"

#include <functional>
#include <memory>
#include <string_view>
#include <vector>

namespace vmaildir {

/// What a backend may use when it opens: the process's logger, and how passwords stored in
/// entries are checked (for backends that check binds themselves, such as LDIF).
struct BackendContext {
    Logger& log;
    PasswordMatcher passwords;
    /// Opens another backend the configuration sets up (the replica binds through "ldap");
    /// set by open_directory().
    std::function<Result<std::unique_ptr<Directory>>(std::string_view name)> open_backend = {};
};

struct Backend {
    const char* name; ///< "ldap", "ldif": DirectoryChoice::backend
    /// Its keys, for the reference and the unknown-key check.
    std::vector<KeyHelp> (*keys)();
    /// Parses and validates the keys it owns, or nullptr when the configuration does not set
    /// this backend up.  `core` holds the core's keys, already read.  Throws ConfigError.
    std::shared_ptr<const BackendSettings> (*parse)(const ConfigText& text, const Config& core);
    /// Opens the directory; temp_fail with the reason when it cannot (the daemon then answers
    /// every lookup with that temporary failure).  Connections are made lazily.
    Result<std::unique_ptr<Directory>> (*open)(const BackendSettings& settings,
                                               const BackendContext& context);
};

} // namespace vmaildir
