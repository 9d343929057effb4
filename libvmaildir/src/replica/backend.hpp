// The replica backend's registry entry (service/backends.cpp): the `replica`
// and `replica_max_stale` keys, and a ReplicaDirectory over the store and the
// live LDAP directory.
#pragma once

#include "directory/backend.hpp"

namespace vmaildir::replica {

const Backend& replica_backend();

} // namespace vmaildir::replica
