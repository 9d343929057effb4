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
#include "ldap/pool.hpp"

#include <string>
#include <vector>

namespace vmaildir::ldap {

namespace {

int to_ldap_scope(Scope scope) {
    switch (scope) {
    case Scope::base:
        return LDAP_SCOPE_BASE;
    case Scope::one_level:
        return LDAP_SCOPE_ONELEVEL;
    case Scope::subtree:
        return LDAP_SCOPE_SUBTREE;
    }
    return LDAP_SCOPE_SUBTREE;
}


class LdapDirectory final : public Directory {
public:
    LdapDirectory(const LdapSettings& settings, Logger& log)
        : settings_(settings), log_(log), pool_(settings_.pool_size),
          auth_pool_(settings_.auth_pool_size) {}

    Result<std::vector<Entry>> search(const SearchRequest& request, Deadline deadline) override {
        return run<std::vector<Entry>>(pool_, true, deadline, [&](Connection& c, int& rc) {
            return request.size_limit ? search_once(c, request, deadline, rc)
                                      : search_paged(c, request, deadline, rc);
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

    Result<std::monostate> modify(const std::string& dn, const std::vector<Modification>& changes,
                                  Deadline deadline) override {
        return run<std::monostate>(pool_, true, deadline, [&](Connection& c, int& rc) {
            return modify_on(c, dn, changes, rc);
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

    static Result<std::monostate> modify_on(Connection& c, const std::string& dn,
                                            const std::vector<Modification>& changes, int& rc) {
        std::vector<std::vector<berval>> values(changes.size());
        std::vector<std::vector<berval*>> value_ptrs(changes.size());
        std::vector<LDAPMod> mods(changes.size());
        std::vector<LDAPMod*> mod_ptrs;
        for (std::size_t i = 0; i < changes.size(); ++i) {
            const Modification& ch = changes[i];
            for (const std::string& v : ch.values)
                values[i].push_back(
                    {static_cast<ber_len_t>(v.size()), const_cast<char*>(v.data())});
            for (berval& bv : values[i])
                value_ptrs[i].push_back(&bv);
            value_ptrs[i].push_back(nullptr);
            int op = ch.op == Modification::Op::replace ? LDAP_MOD_REPLACE
                     : ch.op == Modification::Op::add   ? LDAP_MOD_ADD
                                                        : LDAP_MOD_DELETE;
            mods[i].mod_op = op | LDAP_MOD_BVALUES;
            mods[i].mod_type = const_cast<char*>(ch.attribute.c_str());
            mods[i].mod_bvalues = ch.values.empty() ? nullptr : value_ptrs[i].data();
            mod_ptrs.push_back(&mods[i]);
        }
        mod_ptrs.push_back(nullptr);
        rc = ldap_modify_ext_s(c.ld.get(), dn.c_str(), mod_ptrs.data(), nullptr, nullptr);
        if (rc == LDAP_SUCCESS)
            return Result<std::monostate>::found({});
        if (rc == LDAP_NO_SUCH_OBJECT)
            return Result<std::monostate>::not_found("no entry " + dn);
        return Result<std::monostate>::temp_fail("modify " + dn + " on " + c.uri + ": " +
                                                 describe_error(c.ld.get(), rc));
    }

    Result<std::vector<Entry>> search_once(Connection& c, const SearchRequest& r, Deadline deadline,
                                           int& rc) {
        std::string filter = r.filter.to_string();
        CStrings attrs(r.attributes);
        timeval tv = time_left(deadline);
        LDAPMessage* raw = nullptr;
        rc = ldap_search_ext_s(c.ld.get(), r.base.c_str(), to_ldap_scope(r.scope), filter.c_str(),
                               attrs.get(), 0, nullptr, nullptr, &tv,
                               static_cast<int>(r.size_limit), &raw);
        Message result(raw);
        return finish(c, r, filter, rc, result.get());
    }

    /// Without a size limit (enumeration, check) pages through the results (RFC 2696) so that
    /// the server's own size limit per request does not truncate them.
    Result<std::vector<Entry>> search_paged(Connection& c, const SearchRequest& r,
                                            Deadline deadline, int& rc) {
        std::string filter = r.filter.to_string();
        CStrings attrs(r.attributes);
        std::vector<Entry> all;
        berval cookie{0, nullptr};
        std::string cookie_bytes;
        while (true) {
            LDAPControl* raw_page = nullptr;
            rc = ldap_create_page_control(c.ld.get(), 500, cookie_bytes.empty() ? nullptr : &cookie,
                                          0, &raw_page);
            if (rc != LDAP_SUCCESS)
                return Result<std::vector<Entry>>::temp_fail("cannot create a paging control");
            std::unique_ptr<LDAPControl, ControlFree> page(raw_page);
            LDAPControl* server_controls[] = {page.get(), nullptr};
            timeval tv = time_left(deadline);
            LDAPMessage* raw = nullptr;
            rc = ldap_search_ext_s(c.ld.get(), r.base.c_str(), to_ldap_scope(r.scope),
                                   filter.c_str(), attrs.get(), 0, server_controls, nullptr, &tv,
                                   LDAP_NO_LIMIT, &raw);
            Message result(raw);
            if (rc != LDAP_SUCCESS)
                return finish(c, r, filter, rc, result.get());
            collect_entries(c.ld.get(), result.get(), all);
            LDAPControl** raw_returned = nullptr;
            int err = LDAP_SUCCESS;
            ldap_parse_result(c.ld.get(), result.get(), &err, nullptr, nullptr, nullptr,
                              &raw_returned, 0);
            std::unique_ptr<LDAPControl*, ControlsFree> returned(raw_returned);
            LDAPControl* response =
                ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned.get(), nullptr);
            if (!response)
                break; // the server does not page: it returned everything at once
            ber_int_t estimate = 0;
            berval next{0, nullptr};
            if (ldap_parse_pageresponse_control(c.ld.get(), response, &estimate, &next) !=
                LDAP_SUCCESS)
                return Result<std::vector<Entry>>::temp_fail("malformed paging response");
            cookie_bytes.assign(next.bv_val ? next.bv_val : "", next.bv_len);
            ber_memfree(next.bv_val);
            if (cookie_bytes.empty())
                break;
            cookie.bv_val = cookie_bytes.data();
            cookie.bv_len = cookie_bytes.size();
        }
        return Result<std::vector<Entry>>::found(std::move(all));
    }

    Result<std::vector<Entry>> finish(Connection& c, const SearchRequest& r,
                                      const std::string& filter, int rc, LDAPMessage* result) {
        using Out = Result<std::vector<Entry>>;
        if (rc == LDAP_NO_SUCH_OBJECT && r.base_may_be_missing)
            return Out::found({});
        if (rc == LDAP_NO_SUCH_OBJECT)
            return Out::temp_fail("search base " + r.base + " does not exist on " + c.uri);
        if (rc == LDAP_SIZELIMIT_EXCEEDED)
            return Out::temp_fail("more than size_limit " + std::to_string(r.size_limit) +
                                  " entries for " + filter + " on " + c.uri);
        if (rc != LDAP_SUCCESS)
            return Out::temp_fail("search " + filter + " on " + c.uri + ": " +
                                  describe_error(c.ld.get(), rc));
        std::vector<Entry> entries;
        collect_entries(c.ld.get(), result, entries);
        return Out::found(std::move(entries));
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
