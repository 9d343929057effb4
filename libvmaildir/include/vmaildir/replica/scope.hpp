// What a configuration's replica copies: the entries below search_base, the
// attributes the model reads (and userPassword only with auth_method =
// compare), and which of them the store indexes.  The daemon asks the provider
// for exactly this; the store records the layout so a changed configuration
// rebuilds it instead of answering from the wrong copy.
#pragma once

#include "vmaildir/config/config.hpp"
#include "vmaildir/replica/store.hpp"

#include <string>
#include <vector>

namespace vmaildir::replica {

struct ReplicaScope {
    StoreLayout layout;                  ///< base and indexed attributes
    std::vector<std::string> attributes; ///< what the sync search asks for
    std::string password_attribute;      ///< copied only when `passwords`
    bool passwords = false;
};

ReplicaScope replica_scope(const Config& config);

} // namespace vmaildir::replica
