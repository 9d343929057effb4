// One libldap handle: connect with failover, StartTLS, bind, and the RAII
// owners of libldap's C objects.  Only src/ldap includes <ldap.h>.
//
// A Connection is used by one thread at a time (an LDAP* is not to be shared:
// its error state and results are per handle, and a bind changes everyone's
// identity — ldap_dup(3)); the Pool hands them out.
#pragma once

#include <ldap.h>

#include <memory>
#include <cstdint>
#include <string>
#include <vector>

#include "vmaildir/directory/directory.hpp"
#include "ldap/settings.hpp"
#include "vmaildir/util/log.hpp"

namespace vmaildir::ldap {

struct Unbind {
    void operator()(LDAP* ld) const noexcept { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MsgFree {
    void operator()(LDAPMessage* m) const noexcept { ldap_msgfree(m); }
};
struct BerFree {
    void operator()(BerElement* b) const noexcept { ber_free(b, 0); }
};
/// For a BerElement that owns its buffer (ber_alloc_t, ber_init).
struct BerBufferFree {
    void operator()(BerElement* b) const noexcept { ber_free(b, 1); }
};
struct ValuesFree {
    void operator()(berval** v) const noexcept { ldap_value_free_len(v); }
};
struct MemFree {
    void operator()(void* p) const noexcept { ldap_memfree(p); }
};
struct ControlFree {
    void operator()(LDAPControl* c) const noexcept { ldap_control_free(c); }
};
struct ControlsFree {
    void operator()(LDAPControl** c) const noexcept { ldap_controls_free(c); }
};

using Handle = std::unique_ptr<LDAP, Unbind>;
using Message = std::unique_ptr<LDAPMessage, MsgFree>;

/// A struct timeval for the time left before `deadline` (at least 1 ms, so that libldap never
/// reads a zero timeout as "poll").
timeval time_left(Deadline deadline);

/// Bounds the synchronous calls that take no timeout argument (binds, StartTLS) by the
/// deadline: LDAP_OPT_TIMEOUT applies to every ldap_result() wait without its own timeout.
bool arm_timeout(LDAP* ld, Deadline deadline);

/// Result codes that mean the connection itself is gone or unusable (throw it away).
bool connection_lost(int rc) noexcept;

/// "Can't contact LDAP server (-1)" plus the server's diagnostic message when there is one.
std::string describe_error(LDAP* ld, int rc);

/// NULL-terminated char* array over strings that outlive it (libldap's API is not const).
class CStrings {
public:
    explicit CStrings(const std::vector<std::string>& strings) {
        for (const std::string& s : strings)
            pointers_.push_back(const_cast<char*>(s.c_str()));
        pointers_.push_back(nullptr);
    }
    char** get() { return pointers_.size() > 1 ? pointers_.data() : nullptr; }

private:
    std::vector<char*> pointers_;
};

/// Appends the entries of a search result (or of one entry message) to `out`.  Returns what
/// keeps them from being the whole answer, "" when nothing does: an entry whose DN cannot be
/// read, or continuation references (parts of the tree held on other servers, which vmaildir
/// does not chase).  A search answered without them must not say "not found".
std::string collect_entries(LDAP* ld, LDAPMessage* result, std::vector<Entry>& out);

struct Connection {
    Handle ld;
    std::string uri;   ///< the server it is connected to
    bool used = false; ///< has served an operation (a failure may be a stale connection)
    std::uint64_t epoch = 0; ///< when its pool counted it in (Pool::stamp)
};

/// Connects to `uri` and secures it (StartTLS when configured, ldaps://), without binding.
Result<Connection> open_unbound(const std::string& uri, const LdapSettings& settings,
                                Deadline deadline);

/// SASL EXTERNAL bind (ldapi:// peer credentials, TLS client certificates) with an optional
/// authorization identity; libldap's result code.
int sasl_external_bind(LDAP* ld, const std::string& authz_id);

/// Opens a connection to the first server in `settings.servers` that accepts it, within the
/// deadline: connect, StartTLS if configured, then the service bind when `service_bind`
/// (anonymous connections for password checks skip it).  temp_fail with every server's
/// reason when none works.
Result<Connection> open_connection(const LdapSettings& settings, bool service_bind,
                                   Deadline deadline, Logger& log);

} // namespace vmaildir::ldap
