// lmdb: tables for virtual(8), written from the replica store.
//
// virtual(8) refuses socketmap tables for its mailbox, uid and gid maps (see
// ldap_tables.hpp); with a replica it needs no LDAP either: `vmaildir-postfix
// lmdb-tables` writes DIR/vmaildir-mailbox.lmdb (and -uid, -gid unless
// static_uid/static_gid are set) with postmap(1), so the format is Postfix's
// own, holding for every live account's address what the socketmap's map
// answers for it.  With --follow it stays running and follows the store's
// change feed: each change re-asks the maps for the addresses it touched and
// updates the tables in place (postmap -i -r / postmap -d), so delivery sees it
// within a second; a change to a domain, or a feed it can no longer follow,
// rewrites the tables whole (written aside, then renamed into place: Postfix
// daemons notice the new file and reopen it).
#pragma once

#include "vmaildir/config/config.hpp"
#include "vmaildir/resolve/maps.hpp"
#include "vmaildir/service/service.hpp"
#include "vmaildir/util/log.hpp"

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

namespace vmaildir::postfix {

struct LmdbTableSettings {
    std::string directory;      ///< where the tables go
    std::string postfix_config; ///< postmap -c
    std::string store;          ///< the replica store (`replica` in vmaildir.conf)
};

class LmdbTables {
public:
    LmdbTables(Service& service, LmdbTableSettings settings, Logger& log);

    /// Brings the tables up to the store's current generation; false (logged) when it could
    /// not (the store or a lookup deferred, postmap failed): try again later.
    bool update();
    std::uint64_t generation() const noexcept { return generation_; }

private:
    struct Table {
        MapName map;
        std::string name;                                  ///< "mailbox", "uid", "gid"
        std::unordered_map<std::string, std::string> rows; ///< what the file holds
    };
    bool rebuild();
    bool apply(const std::vector<std::string>& addresses);
    std::string path(const Table& t) const { return settings_.directory + "/vmaildir-" + t.name; }
    bool postmap(const std::string& args, const std::string& input);

    Service& service_;
    LmdbTableSettings settings_;
    Logger& log_;
    std::vector<Table> tables_;
    std::uint64_t generation_ = 0;
    bool built_ = false;
};

/// `vmaildir-postfix lmdb-tables`: writes the tables once, or with `follow` keeps them
/// current until SIGTERM.  An exit status (sysexits).
int write_lmdb_tables(const std::string& config_path, const std::string& directory,
                      const std::string& postfix_config, bool follow,
                      const std::string& log_target);

} // namespace vmaildir::postfix
