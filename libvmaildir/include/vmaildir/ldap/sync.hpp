// A content-synchronisation consumer (RFC 4533) for the replica daemon: one
// sync search below search_base, refreshAndPersist (or refreshOnly), resumed
// from a cookie.  The session reports what the provider says to a SyncTarget
// and knows nothing of where the copy is kept.
//
// libldap 2.5 ships ldap_sync_init()/ldap_sync_poll(), but they hand every
// message of a batch as the batch's first one to the callbacks (ldap_sync.c
// passes `res` where it means `msg`) and block for a whole refresh; this
// session sends the same Sync Request control with ldap_search_ext() and reads
// the Sync State, Sync Done and Sync Info messages with libldap's BER decoder
// (docs/decisions.md, "Replica").
#pragma once

#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/entry.hpp"
#include "vmaildir/util/log.hpp"

#include <atomic>
#include <optional>
#include <string>
#include <vector>

namespace vmaildir::ldap {

/// The 16 bytes of an entryUUID.
using SyncUuid = std::string;

/// What the provider says, in the order it says it.
class SyncTarget {
public:
    virtual ~SyncTarget() = default;
    /// Connected to `provider`; a refresh begins.
    virtual void refresh_begins(const std::string& provider) = 0;
    /// An entry added or changed: its whole (requested) content.  The target may take it
    /// (move from it) or only read it.
    virtual void changed(const SyncUuid& uuid, Entry&& entry) = 0;
    /// An entry unchanged since the cookie (present phase).
    virtual void present(const SyncUuid& uuid) = 0;
    /// An entry deleted, or moved out of the copied subtree.
    virtual void removed(const SyncUuid& uuid) = 0;
    /// A present phase ended: every entry neither present nor changed in it is gone.
    virtual void present_phase_done() = 0;
    /// The refresh is complete: the copy is the provider's content as of `cookie`.
    virtual void refresh_done(const std::optional<std::string>& cookie) = 0;
    /// After the refresh: the provider's state is `cookie`, including every change so far.
    virtual void cookie(const std::string& cookie) = 0;
    /// Nothing arrived for a while, the session is up and refreshed: the copy is current.
    /// Returning false ends the session (the daemon found its store deleted, or a reload).
    virtual bool idle() = 0;
};

struct SyncRequest {
    std::string base;
    std::vector<std::string> attributes;
    std::optional<std::string> cookie;
    bool persist = true; ///< refreshAndPersist; false: refreshOnly
    /// During a refresh, silence this long means the provider hangs.
    std::chrono::milliseconds refresh_silence{30000};
};

struct SyncEnd {
    enum class Why {
        stopped,          ///< `stop` was set, or the target's idle() said so
        refreshed,        ///< refreshOnly: the refresh is complete
        refresh_required, ///< the cookie is no longer usable: start again without it
        lost,             ///< no server reached, connection lost or the session failed
    };
    Why why = Why::lost;
    std::string reason;
    std::string provider; ///< the server of the session, when one was reached
};

/// Runs one session with the first server in server_host that answers (LDAP settings of
/// `config`), until it ends; see SyncEnd.
SyncEnd run_sync(const Config& config, const SyncRequest& request, SyncTarget& target,
                 const std::atomic<bool>& stop, Logger& log);

} // namespace vmaildir::ldap
