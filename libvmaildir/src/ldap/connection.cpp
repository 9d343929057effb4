// Opening libldap connections: failover across server_host, StartTLS, timeouts, the
// service bind (simple or SASL EXTERNAL) (connection.hpp).
#include "ldap/connection.hpp"

#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <sasl/sasl.h>

namespace vmaildir::ldap {

timeval time_left(Deadline deadline) {
    auto ms = std::max<long long>(1, deadline.remaining().count());
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(ms / 1000);
    tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
    return tv;
}

bool connection_lost(int rc) noexcept {
    switch (rc) {
    case LDAP_SERVER_DOWN:
    case LDAP_CONNECT_ERROR:
    case LDAP_TIMEOUT: // a hung server: the request may still be pending on this handle
    case LDAP_UNAVAILABLE:
    case LDAP_BUSY:
    case LDAP_LOCAL_ERROR:
    case LDAP_ENCODING_ERROR:
    case LDAP_DECODING_ERROR:
    case LDAP_PROTOCOL_ERROR:
    case LDAP_NO_MEMORY:
        return true;
    default:
        return false;
    }
}

std::string describe_error(LDAP* ld, int rc) {
    std::string out = ldap_err2string(rc);
    out += " (" + std::to_string(rc) + ")";
    char* diagnostic = nullptr;
    if (ld && ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &diagnostic) == LDAP_OPT_SUCCESS &&
        diagnostic) {
        std::unique_ptr<char, MemFree> owned(diagnostic);
        if (*diagnostic)
            out += ": " + std::string(diagnostic);
    }
    return out;
}

// Converts the entries of a search result.  ldap_get_dn_ber/ldap_get_attribute_ber read the
// DN and values in place (the bervals point into the message): no copy but ours.
std::string collect_entries(LDAP* ld, LDAPMessage* result, std::vector<Entry>& out) {
    std::string gap;
    if (int references = ldap_count_references(ld, result); references > 0)
        gap = std::to_string(references) +
              " continuation reference(s): part of the tree is on another server, and "
              "referrals are not chased";
    for (LDAPMessage* m = ldap_first_entry(ld, result); m; m = ldap_next_entry(ld, m)) {
        BerElement* raw_ber = nullptr;
        berval dn{0, nullptr};
        int rc = ldap_get_dn_ber(ld, m, &raw_ber, &dn);
        std::unique_ptr<BerElement, BerFree> ber(raw_ber);
        if (rc != LDAP_SUCCESS) {
            gap = "an entry whose DN cannot be read";
            continue;
        }
        Entry entry(std::string(dn.bv_val ? dn.bv_val : "", dn.bv_len));
        berval name{0, nullptr};
        berval* raw_values = nullptr;
        while (ldap_get_attribute_ber(ld, m, ber.get(), &name, &raw_values) == LDAP_SUCCESS &&
               name.bv_val) {
            std::unique_ptr<berval, MemFree> values(raw_values);
            std::vector<std::string> strings;
            for (berval* v = values.get(); v && v->bv_val; ++v)
                strings.emplace_back(v->bv_val, v->bv_len);
            entry.replace(std::string_view(name.bv_val, name.bv_len), std::move(strings));
        }
        out.push_back(std::move(entry));
    }
    return gap;
}

bool arm_timeout(LDAP* ld, Deadline deadline) {
    timeval op = time_left(deadline);
    return ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op) == LDAP_OPT_SUCCESS;
}

namespace {

/// SASL interaction for EXTERNAL: the identity comes from the transport (ldapi peer
/// credentials or a TLS client certificate); only an optional authorization id is asked.
int sasl_interact(LDAP*, unsigned, void* defaults, void* prompts) {
    const auto* authz = static_cast<const std::string*>(defaults);
    for (auto* p = static_cast<sasl_interact_t*>(prompts); p->id != SASL_CB_LIST_END; ++p) {
        const char* value = (p->id == SASL_CB_USER && authz) ? authz->c_str() : "";
        p->result = value;
        p->len = static_cast<unsigned>(std::strlen(value));
    }
    return LDAP_SUCCESS;
}

int sasl_bind(LDAP* ld, const std::string& mech, const std::string& authz_id) {
    return ldap_sasl_interactive_bind_s(ld, nullptr, mech.c_str(), nullptr, nullptr,
                                        LDAP_SASL_QUIET, sasl_interact,
                                        const_cast<std::string*>(&authz_id));
}

int set_timeouts(LDAP* ld, const LdapSettings& settings, Deadline deadline) {
    auto connect_ms = std::min(settings.connect_timeout, deadline.remaining()).count();
    timeval net{};
    net.tv_sec = static_cast<time_t>(std::max<long long>(1, connect_ms) / 1000);
    net.tv_usec = static_cast<suseconds_t>((std::max<long long>(1, connect_ms) % 1000) * 1000);
    int rc = ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net);
    return rc == LDAP_OPT_SUCCESS && arm_timeout(ld, deadline) ? LDAP_OPT_SUCCESS : -1;
}

/// Per-handle options: protocol 3, no referral chasing, TLS settings, keepalive.  With
/// `check_certificate` false the server's certificate is not checked at all (only for
/// certificate_rejected()'s diagnostic handshake).  The TLS settings apply to every handle
/// that may speak TLS (StartTLS, tls_* files, or an ldaps:// `uri`): without them an ldaps://
/// server would be checked as ldap.conf, LDAPTLS_* or an ./ldaprc says, not as
/// tls_require_cert does.
std::string configure(LDAP* ld, const std::string& uri, const LdapSettings& s,
                      bool check_certificate = true) {
    int version = LDAP_VERSION3;
    int rc = ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
    if (rc == LDAP_OPT_SUCCESS)
        rc = ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    if (rc == LDAP_OPT_SUCCESS)
        rc = ldap_set_option(ld, LDAP_OPT_RESTART, LDAP_OPT_ON); // EINTR is not an error
    // Detect a peer that vanished without a FIN (cable pulled, VM frozen) on idle connections.
    int idle = 60, probes = 3, interval = 10;
    ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_IDLE, &idle);
    ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_PROBES, &probes);
    ldap_set_option(ld, LDAP_OPT_X_KEEPALIVE_INTERVAL, &interval);
    if (rc != LDAP_OPT_SUCCESS)
        return "setting connection options failed";

    bool tls = s.profile.start_tls || !s.profile.tls_ca_file.empty() ||
               !s.profile.tls_ca_dir.empty() || !s.profile.tls_cert_file.empty() ||
               util::ascii_lower(uri).starts_with("ldaps://");
    if (!tls)
        return {};
    int require = !check_certificate           ? LDAP_OPT_X_TLS_NEVER
                  : s.profile.tls_require_cert ? LDAP_OPT_X_TLS_DEMAND
                                               : LDAP_OPT_X_TLS_ALLOW;
    int min_proto = LDAP_OPT_X_TLS_PROTOCOL_TLS1_2;
    struct {
        int option;
        const std::string* value;
    } files[] = {{LDAP_OPT_X_TLS_CACERTFILE, &s.profile.tls_ca_file},
                 {LDAP_OPT_X_TLS_CACERTDIR, &s.profile.tls_ca_dir},
                 {LDAP_OPT_X_TLS_CERTFILE, &s.profile.tls_cert_file},
                 {LDAP_OPT_X_TLS_KEYFILE, &s.profile.tls_key_file}};
    for (const auto& f : files)
        if (!f.value->empty() &&
            ldap_set_option(ld, f.option, f.value->c_str()) != LDAP_OPT_SUCCESS)
            return "cannot use TLS file " + *f.value;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &require) != LDAP_OPT_SUCCESS ||
        ldap_set_option(ld, LDAP_OPT_X_TLS_PROTOCOL_MIN, &min_proto) != LDAP_OPT_SUCCESS)
        return "setting TLS options failed";
    // Per-handle TLS settings only take effect in a new TLS context (ldap_set_option(3)).
    int is_server = 0;
    if (ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server) != LDAP_OPT_SUCCESS)
        return "creating the TLS context failed (check tls_* files)";
    return {};
}

/// ldap_initialize(), with libldap's process-wide defaults set up once first.  libldap 2.5
/// sets them up in its first call (ldap_int_initialize, which reads ldap.conf and the
/// LDAP* environment) without a lock of its own: two threads opening their first
/// connections at once raced there (ThreadSanitizer, issue #13).  ldap_get_option() on no
/// handle does that set-up; std::call_once makes every other thread wait for it.
int initialize(LDAP** ld, const std::string& uri) {
    static std::once_flag once;
    std::call_once(once, [] {
        int version = 0;
        ldap_get_option(nullptr, LDAP_OPT_PROTOCOL_VERSION, &version);
    });
    return ldap_initialize(ld, uri.c_str());
}

/// Whether a TLS handshake with `uri` that failed while tls_require_cert demanded a valid
/// certificate succeeds when the certificate is not checked, i.e. whether the certificate is
/// what failed.  libldap over GnuTLS reports a certificate that does not verify only as
/// "Connect error" with the diagnostic "(unknown error code)" (the reason goes to its debug
/// output alone), which leaves the administrator guessing between a network, a TLS and a
/// certificate problem.  So after such a failure, and only then, one more handshake without
/// the check names the cause.  Nothing is bound, searched or sent on it but StartTLS; it shares
/// the caller's deadline.
bool certificate_rejected(const std::string& uri, const LdapSettings& s, bool start_tls,
                          Deadline deadline) {
    if (!s.profile.tls_require_cert || deadline.expired())
        return false;
    LDAP* raw = nullptr;
    if (initialize(&raw, uri) != LDAP_SUCCESS || !raw)
        return false;
    Handle ld(raw);
    if (!configure(ld.get(), uri, s, false).empty() ||
        set_timeouts(ld.get(), s, deadline) != LDAP_OPT_SUCCESS ||
        ldap_connect(ld.get()) != LDAP_SUCCESS) // ldaps://: the handshake is part of it
        return false;
    return !start_tls || ldap_start_tls_s(ld.get(), nullptr, nullptr) == LDAP_SUCCESS;
}

/// "the server's certificate did not verify (with tls_ca_file F): " when
/// certificate_rejected() says so, else "" (to go before libldap's own words).
std::string certificate_problem(const std::string& uri, const LdapSettings& s, bool start_tls,
                                Deadline deadline) {
    if (!certificate_rejected(uri, s, start_tls, deadline))
        return {};
    const std::string& ca =
        !s.profile.tls_ca_file.empty() ? s.profile.tls_ca_file : s.profile.tls_ca_dir;
    return std::string("the server's certificate did not verify (") +
           (ca.empty() ? std::string("with the system's CA certificates")
                       : (!s.profile.tls_ca_file.empty() ? "tls_ca_file " : "tls_ca_dir ") + ca) +
           "): ";
}

/// Connects, secures and binds one handle to one server.
Result<Connection> open_one(const std::string& uri, const LdapSettings& s, bool service_bind,
                            Deadline deadline) {
    LDAP* raw = nullptr;
    int rc = initialize(&raw, uri);
    Handle ld(raw);
    if (rc != LDAP_SUCCESS || !ld)
        return Result<Connection>::temp_fail(uri + ": bad URI: " + ldap_err2string(rc));
    if (std::string problem = configure(ld.get(), uri, s); !problem.empty())
        return Result<Connection>::temp_fail(uri + ": " + problem);
    if (set_timeouts(ld.get(), s, deadline) != LDAP_OPT_SUCCESS)
        return Result<Connection>::temp_fail(uri + ": setting timeouts failed");

    // For ldaps:// libldap reports a failed handshake as it reports a server that is down
    // (LDAP_SERVER_DOWN), so only an answer that came before the connect timeout (a server
    // was there) is worth the diagnostic handshake: after a timeout a second try would only
    // delay the failover to the next server.
    const auto connecting = Clock::now();
    rc = ldap_connect(ld.get());
    if (rc != LDAP_SUCCESS)
        return Result<Connection>::temp_fail(
            uri + ": " +
            ((rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR) &&
                     util::ascii_lower(uri).starts_with("ldaps://") &&
                     Clock::now() - connecting < s.connect_timeout
                 ? certificate_problem(uri, s, false, deadline)
                 : std::string()) +
            describe_error(ld.get(), rc));
    if (const std::string scheme = util::ascii_lower(uri.substr(0, 8));
        s.profile.start_tls && scheme != "ldapi://" && scheme != "ldaps://") {
        rc = ldap_start_tls_s(ld.get(), nullptr, nullptr);
        if (rc != LDAP_SUCCESS)
            return Result<Connection>::temp_fail(uri + ": StartTLS failed: " +
                                                 (rc == LDAP_CONNECT_ERROR
                                                      ? certificate_problem(uri, s, true, deadline)
                                                      : std::string()) +
                                                 describe_error(ld.get(), rc));
    }
    if (service_bind && !s.profile.sasl_mech.empty()) {
        rc = sasl_bind(ld.get(), s.profile.sasl_mech, s.profile.sasl_authz_id);
        if (rc != LDAP_SUCCESS)
            return Result<Connection>::temp_fail(uri + ": SASL " + s.profile.sasl_mech +
                                                 " bind failed: " + describe_error(ld.get(), rc));
    } else if (service_bind && !s.profile.bind_dn.empty()) {
        berval cred{static_cast<ber_len_t>(s.bind_password.size()),
                    const_cast<char*>(s.bind_password.data())};
        rc = ldap_sasl_bind_s(ld.get(), s.profile.bind_dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr,
                              nullptr, nullptr);
        if (rc != LDAP_SUCCESS)
            return Result<Connection>::temp_fail(uri + ": bind as " + s.profile.bind_dn +
                                                 " failed: " + describe_error(ld.get(), rc));
    }
    return Result<Connection>::found(Connection{std::move(ld), uri, false});
}

} // namespace

Result<Connection> open_unbound(const std::string& uri, const LdapSettings& settings,
                                Deadline deadline) {
    return open_one(uri, settings, false, deadline);
}

int sasl_external_bind(LDAP* ld, const std::string& authz_id) {
    return sasl_bind(ld, "EXTERNAL", authz_id);
}

Result<Connection> open_connection(const LdapSettings& settings, bool service_bind,
                                   Deadline deadline, Logger& log) {
    std::string reasons;
    for (std::size_t i = 0; i < settings.profile.servers.size(); ++i) {
        if (deadline.expired()) {
            reasons += (reasons.empty() ? "" : "; ") + std::string("timeout before trying ") +
                       settings.profile.servers[i];
            break;
        }
        auto c = open_one(settings.profile.servers[i], settings, service_bind, deadline);
        if (c.is_found()) {
            if (i > 0)
                log.warning("ldap: failed over to " + settings.profile.servers[i] + " (" + reasons +
                            ")");
            return c;
        }
        reasons += (reasons.empty() ? "" : "; ") + c.reason();
    }
    return Result<Connection>::temp_fail("no LDAP server available: " + reasons);
}

} // namespace vmaildir::ldap
