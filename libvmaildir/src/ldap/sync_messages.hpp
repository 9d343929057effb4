// What a content-sync provider sends (RFC 4533 §2.5), as bytes: the values of the Sync State
// control (on each entry), the Sync Done control (on SearchResultDone) and the Sync Info
// intermediate message, decoded with libldap's BER decoder.  A session (ldap/sync.cpp) acts on
// what they say; nothing here knows of one, so the decoders can be tested and fuzzed on their
// own (tests/fuzz/sync_messages.cpp).  This header needs no <ldap.h>.
//
//   Sync State   SEQUENCE { state ENUMERATED (present, add, modify, delete),
//                           entryUUID OCTET STRING (16 bytes), cookie OCTET STRING OPTIONAL }
//   Sync Done    SEQUENCE { cookie OPTIONAL, refreshDeletes BOOLEAN DEFAULT FALSE }
//   Sync Info    CHOICE { newcookie [0] OCTET STRING,
//                         refreshDelete [1] / refreshPresent [2]
//                           SEQUENCE { cookie OPTIONAL, refreshDone BOOLEAN DEFAULT TRUE },
//                         syncIdSet [3] SEQUENCE { cookie OPTIONAL,
//                           refreshDeletes BOOLEAN DEFAULT FALSE, syncUUIDs SET OF UUID } }
#pragma once

#include "vmaildir/ldap/sync.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace vmaildir::ldap {

struct SyncStateControl {
    enum class State { present = 0, add = 1, modify = 2, remove = 3 }; ///< RFC 4533's values
    State state = State::present;
    SyncUuid uuid; ///< 16 bytes
    std::optional<std::string> cookie;
};

struct SyncDoneControl {
    std::optional<std::string> cookie;
    bool refresh_deletes = false;
};

struct SyncInfoMessage {
    enum class Kind { new_cookie, refresh_delete, refresh_present, sync_id_set };
    Kind kind = Kind::new_cookie;
    std::optional<std::string> cookie; ///< always there for new_cookie
    bool refresh_done = true;          ///< refresh_delete, refresh_present
    bool refresh_deletes = false;      ///< sync_id_set: the uuids are deleted, not present
    std::vector<SyncUuid> uuids;       ///< sync_id_set, 16 bytes each
};

/// A message decoded, or why it cannot be read (the reason the session ends with).
template <class T> using Decoded = std::variant<T, std::string>;

Decoded<SyncStateControl> decode_sync_state(std::string_view value);
Decoded<SyncDoneControl> decode_sync_done(std::string_view value);
Decoded<SyncInfoMessage> decode_sync_info(std::string_view value);

} // namespace vmaildir::ldap
