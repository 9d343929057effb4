// The replica keys of vmaildir.conf, as the daemon and `vmaildir check` read
// them: `replica = DIR` makes every adapter answer from the store in DIR (kept
// by vmaildir-replica), `replica_max_stale` bounds how long it answers after
// losing its provider.
#pragma once

#include "vmaildir/config/config.hpp"

#include <chrono>
#include <string>

namespace vmaildir::replica {

struct ReplicaSettings {
    std::string path;
    std::chrono::seconds max_stale{3600};
};

/// The replica settings of a configuration, or nullptr when it answers from live LDAP.
const ReplicaSettings* replica_settings(const Config& config);

} // namespace vmaildir::replica
