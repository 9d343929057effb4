// The LDAP Directory: searches, password binds and modifications over pooled
// connections, with failover and one reconnect after a dropped connection.
//
// libldap does not reconnect: after the server drops a connection every later
// call on that handle fails with LDAP_SERVER_DOWN (host-facts §6).  So a
// failure on a connection that has served before is retried once on a fresh
// connection, which also fails over across server_host in order.  Everything
// is bounded by the caller's deadline: a hung server (SIGSTOP) costs at most
// the lookup's timeout, then the answer is a temporary failure.
#include "ldap/ldap_directory.hpp"

#include "ldap/connection.hpp"
#include "ldap/operations.hpp"
#include "ldap/pool.hpp"
#include "ldap/session.hpp"

#include <string>
#include <vector>

namespace vmaildir::ldap {

namespace {

class LdapDirectory final : public Directory {
public:
    LdapDirectory(const LdapSettings& settings, Logger& log)
        : settings_(settings), log_(log), pool_(settings_.pool_size),
          auth_pool_(settings_.auth_pool_size) {}

    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override {
        return run<std::vector<Entry>>(pool_, true, deadline, [&](Connection& c, int& rc) {
            return search_on(c, request, deadline, rc);
        });
    }

    Result<bool> check_bind(const std::string& dn, std::string_view password,
                            Deadline deadline) override {
        if (password.empty()) // RFC 4513 §5.1.2: an empty password is an unauthenticated bind
            return Result<bool>::found(false);
        return run<bool>(auth_pool_, false, deadline, [&](Connection& c, int& rc) {
            berval cred{static_cast<ber_len_t>(password.size()),
                        const_cast<char*>(password.data())};
            rc = ldap_sasl_bind_s(c.ld.get(), dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr,
                                  nullptr);
            if (rc == LDAP_SUCCESS)
                return Result<bool>::found(true);
            if (rc == LDAP_INVALID_CREDENTIALS)
                return Result<bool>::found(false);
            return Result<bool>::temp_fail("bind as " + dn + " on " + c.uri + ": " +
                                           describe_error(c.ld.get(), rc));
        });
    }

    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& changes,
                                     Deadline deadline) override {
        if (as.password.empty())
            return Result<std::monostate>::temp_fail("bind as " + as.dn + ": empty password");
        return run<std::monostate>(auth_pool_, false, deadline, [&](Connection& c, int& rc) {
            berval cred{static_cast<ber_len_t>(as.password.size()),
                        const_cast<char*>(as.password.data())};
            rc = ldap_sasl_bind_s(c.ld.get(), as.dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr,
                                  nullptr, nullptr);
            if (rc != LDAP_SUCCESS)
                return Result<std::monostate>::temp_fail("bind as " + as.dn + " on " + c.uri +
                                                         ": " + describe_error(c.ld.get(), rc));
            return modify_on(c, dn, changes, rc);
        });
    }

    Result<std::unique_ptr<DirectorySession>> open_session(const Identity& who,
                                                           Deadline deadline) override {
        return open_ldap_session(settings_, who, deadline, log_);
    }

    void close_idle() override {
        pool_.clear_idle();
        auth_pool_.clear_idle();
    }

    std::string describe() const override {
        std::string out;
        for (const std::string& s : settings_.profile.servers)
            out += (out.empty() ? "" : " ") + s;
        return out;
    }

private:
    /// Runs `op` on a pooled connection; a connection-level failure on a connection that had
    /// worked before is retried once on a newly opened one (a restarted server, an idle
    /// timeout), and every connection the pool held until then is retired: they are as dead.
    template <class T, class Op>
    Result<T> run(Pool& pool, bool service_bind, Deadline deadline, Op op) {
        for (int attempt = 0;; ++attempt) {
            auto lease = pool.acquire(deadline);
            if (!lease)
                return Result<T>::temp_fail("timeout waiting for a free LDAP connection");
            auto& c = lease->connection();
            if (attempt > 0)
                lease->discard(); // the retry never takes another pooled connection
            if (!c) {
                auto opened = open_connection(settings_, service_bind, deadline, log_);
                if (!opened.is_found())
                    return Result<T>::failure_of(opened);
                c = std::move(opened).value();
                c->epoch = pool.stamp();
            }
            bool reused = c->used;
            c->used = true;
            if (!arm_timeout(c->ld.get(), deadline))
                return Result<T>::temp_fail("cannot set the LDAP operation timeout");
            int rc = LDAP_SUCCESS;
            Result<T> result = op(*c, rc);
            if (!connection_lost(rc))
                return result;
            std::string uri = c->uri;
            lease->discard();
            if (rc != LDAP_TIMEOUT)
                pool.retire_all_until_now();
            if (!reused || attempt > 0 || rc == LDAP_TIMEOUT || deadline.expired())
                return result;
            log_.info("ldap: connection to " + uri + " lost (" + result.reason() +
                      "); reconnecting");
        }
    }

    LdapSettings settings_;
    Logger& log_;
    Pool pool_;
    Pool auth_pool_;
};

} // namespace

std::unique_ptr<Directory> make_ldap_directory(const LdapSettings& settings, Logger& log) {
    return std::make_unique<LdapDirectory>(settings, log);
}

} // namespace vmaildir::ldap
