// The LDAP administration session (session.hpp).
#include "ldap/session.hpp"

#include "ldap/connection.hpp"
#include "ldap/operations.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir::ldap {

namespace {

using Opened = Result<std::unique_ptr<DirectorySession>>;

struct BervalFree {
    void operator()(berval* b) const noexcept { ber_bvfree(b); }
};

class LdapSession final : public DirectorySession {
public:
    LdapSession(Connection connection, std::string identity)
        : c_(std::move(connection)), identity_(std::move(identity)) {}

    const std::string& identity() const noexcept override { return identity_; }

    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override {
        if (!arm_timeout(c_.ld.get(), deadline))
            return Result<std::vector<Entry>>::temp_fail("cannot set the LDAP operation timeout");
        int rc = LDAP_SUCCESS;
        return search_on(c_, request, deadline, rc);
    }

    Result<std::monostate> apply(const Change& change, Deadline deadline) override {
        if (!arm_timeout(c_.ld.get(), deadline))
            return Result<std::monostate>::temp_fail("cannot set the LDAP operation timeout");
        int rc = LDAP_SUCCESS;
        return apply_on(c_, change, rc);
    }

private:
    Connection c_;
    std::string identity_;
};

Opened simple_session(const LdapSettings& settings, const Identity& who, Deadline deadline,
                      Logger& log) {
    // An empty DN without a password is an anonymous session (RFC 4513 §5.1.1); a DN with an
    // empty password would be an unauthenticated bind (§5.1.2), which is refused.
    if (who.password.empty() && !who.dn.empty())
        return Opened::not_found("bind as " + who.dn + ": empty password");
    auto opened = open_connection(settings, false, deadline, log);
    if (!opened.is_found())
        return Opened::failure_of(opened);
    Connection c = std::move(opened).value();
    if (who.dn.empty())
        return Opened::found(std::make_unique<LdapSession>(std::move(c), ""));
    if (!protected_transport(c.uri, settings.profile.start_tls))
        return Opened::not_found("will not send the password of " + who.dn + " in the clear to " +
                                 c.uri + ": use ldaps://, ldapi:// or start_tls = yes");
    berval cred{static_cast<ber_len_t>(who.password.size()),
                const_cast<char*>(who.password.data())};
    int rc = ldap_sasl_bind_s(c.ld.get(), who.dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr,
                              nullptr);
    if (rc == LDAP_INVALID_CREDENTIALS || rc == LDAP_INVALID_DN_SYNTAX)
        return Opened::not_found("bind as " + who.dn + " on " + c.uri + ": " +
                                 describe_error(c.ld.get(), rc));
    if (rc != LDAP_SUCCESS)
        return Opened::temp_fail("bind as " + who.dn + " on " + c.uri + ": " +
                                 describe_error(c.ld.get(), rc));
    return Opened::found(std::make_unique<LdapSession>(std::move(c), who.dn));
}

Opened external_session(const LdapSettings& settings, const Identity& who, Deadline deadline) {
    std::string uri = !who.uri.empty() ? who.uri : settings.profile.admin_uri;
    for (const std::string& server : settings.profile.servers)
        if (uri.empty() && util::ascii_lower(server).starts_with("ldapi://"))
            uri = server;
    if (uri.empty())
        uri = "ldapi:///";
    auto opened = open_unbound(uri, settings, deadline);
    if (!opened.is_found())
        return Opened::failure_of(opened);
    Connection c = std::move(opened).value();
    int rc = sasl_external_bind(c.ld.get(), "");
    if (rc != LDAP_SUCCESS) {
        std::string text = "SASL EXTERNAL bind on " + uri + ": " + describe_error(c.ld.get(), rc);
        return connection_lost(rc) ? Opened::temp_fail(text) : Opened::not_found(text);
    }
    berval* raw = nullptr;
    rc = ldap_whoami_s(c.ld.get(), &raw, nullptr, nullptr);
    std::unique_ptr<berval, BervalFree> whoami(raw);
    if (rc != LDAP_SUCCESS)
        return Opened::temp_fail("Who am I? on " + uri + ": " + describe_error(c.ld.get(), rc));
    std::string authzid =
        whoami && whoami->bv_val ? std::string(whoami->bv_val, whoami->bv_len) : std::string();
    if (authzid.rfind("dn:", 0) != 0 || authzid.size() == 3)
        return Opened::not_found("the server took this process for \"" + authzid + "\" on " + uri +
                                 ", not a DN: map it to one (authz-regexp) or use --as");
    return Opened::found(std::make_unique<LdapSession>(std::move(c), authzid.substr(3)));
}

} // namespace

Result<std::unique_ptr<DirectorySession>> open_ldap_session(const LdapSettings& settings,
                                                            const Identity& who, Deadline deadline,
                                                            Logger& log) {
    if (who.method == Identity::Method::sasl_external)
        return external_session(settings, who, deadline);
    return simple_session(settings, who, deadline, log);
}

} // namespace vmaildir::ldap
