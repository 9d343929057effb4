// Single LDAP operations on one connection (operations.hpp).
#include "ldap/operations.hpp"

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

/// LDAPMod arrays over modifications that outlive it (libldap's API is not const).
class Mods {
public:
    explicit Mods(const std::vector<Modification>& changes)
        : values_(changes.size()), value_ptrs_(changes.size()), mods_(changes.size()) {
        for (std::size_t i = 0; i < changes.size(); ++i) {
            const Modification& ch = changes[i];
            for (const std::string& v : ch.values)
                values_[i].push_back(
                    {static_cast<ber_len_t>(v.size()), const_cast<char*>(v.data())});
            for (berval& bv : values_[i])
                value_ptrs_[i].push_back(&bv);
            value_ptrs_[i].push_back(nullptr);
            int op = ch.op == Modification::Op::replace ? LDAP_MOD_REPLACE
                     : ch.op == Modification::Op::add   ? LDAP_MOD_ADD
                                                        : LDAP_MOD_DELETE;
            mods_[i].mod_op = op | LDAP_MOD_BVALUES;
            mods_[i].mod_type = const_cast<char*>(ch.attribute.c_str());
            mods_[i].mod_bvalues = ch.values.empty() ? nullptr : value_ptrs_[i].data();
            mod_ptrs_.push_back(&mods_[i]);
        }
        mod_ptrs_.push_back(nullptr);
    }
    LDAPMod** get() { return mod_ptrs_.data(); }

private:
    std::vector<std::vector<berval>> values_;
    std::vector<std::vector<berval*>> value_ptrs_;
    std::vector<LDAPMod> mods_;
    std::vector<LDAPMod*> mod_ptrs_;
};

Result<std::vector<Entry>> finish(Connection& c, const SearchRequest& r, const std::string& filter,
                                  int rc, LDAPMessage* result) {
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
    if (std::string gap = collect_entries(c.ld.get(), result, entries); !gap.empty())
        return Out::temp_fail("search " + filter + " on " + c.uri + ": " + gap);
    return Out::found(std::move(entries));
}

// Result codes with which a server refuses a change for what it is (RFC 4511 Appendix A):
// asking again would be refused again.  Everything else is a temporary failure.
bool refusal(int rc) noexcept {
    switch (rc) {
    case LDAP_NO_SUCH_OBJECT:
    case LDAP_ALREADY_EXISTS:
    case LDAP_INSUFFICIENT_ACCESS:
    case LDAP_OBJECT_CLASS_VIOLATION:
    case LDAP_NOT_ALLOWED_ON_NONLEAF:
    case LDAP_NOT_ALLOWED_ON_RDN:
    case LDAP_NO_OBJECT_CLASS_MODS:
    case LDAP_CONSTRAINT_VIOLATION:
    case LDAP_TYPE_OR_VALUE_EXISTS:
    case LDAP_NO_SUCH_ATTRIBUTE:
    case LDAP_INVALID_SYNTAX:
    case LDAP_UNDEFINED_TYPE:
    case LDAP_INAPPROPRIATE_MATCHING:
    case LDAP_NAMING_VIOLATION:
    case LDAP_INVALID_DN_SYNTAX:
    case LDAP_UNWILLING_TO_PERFORM:
    case LDAP_STRONG_AUTH_REQUIRED:
    case LDAP_CONFIDENTIALITY_REQUIRED:
        return true;
    default:
        return false;
    }
}

/// The modifications that add every attribute of `entry` (an add request's attribute list).
std::vector<Modification> as_additions(const Entry& entry) {
    std::vector<Modification> out;
    for (const Entry::Attribute& a : entry.attributes())
        out.push_back({Modification::Op::add, a.name, a.values});
    return out;
}

Result<std::vector<Entry>> search_once(Connection& c, const SearchRequest& r, Deadline deadline,
                                       int& rc) {
    std::string filter = r.filter.to_string();
    CStrings attrs(r.attributes);
    timeval tv = time_left(deadline);
    LDAPMessage* raw = nullptr;
    rc = ldap_search_ext_s(c.ld.get(), r.base.c_str(), to_ldap_scope(r.scope), filter.c_str(),
                           attrs.get(), 0, nullptr, nullptr, &tv, static_cast<int>(r.size_limit),
                           &raw);
    Message result(raw);
    return finish(c, r, filter, rc, result.get());
}

/// Without a size limit (enumeration, check) pages through the results (RFC 2696) so that
/// the server's own size limit per request does not truncate them.
Result<std::vector<Entry>> search_paged(Connection& c, const SearchRequest& r, Deadline deadline,
                                        int& rc) {
    std::string filter = r.filter.to_string();
    CStrings attrs(r.attributes);
    std::vector<Entry> all;
    berval cookie{0, nullptr};
    std::string cookie_bytes;
    while (true) {
        LDAPControl* raw_page = nullptr;
        rc = ldap_create_page_control(c.ld.get(), 500, cookie_bytes.empty() ? nullptr : &cookie, 0,
                                      &raw_page);
        if (rc != LDAP_SUCCESS)
            return Result<std::vector<Entry>>::temp_fail("cannot create a paging control");
        std::unique_ptr<LDAPControl, ControlFree> page(raw_page);
        LDAPControl* server_controls[] = {page.get(), nullptr};
        timeval tv = time_left(deadline);
        LDAPMessage* raw = nullptr;
        rc = ldap_search_ext_s(c.ld.get(), r.base.c_str(), to_ldap_scope(r.scope), filter.c_str(),
                               attrs.get(), 0, server_controls, nullptr, &tv, LDAP_NO_LIMIT, &raw);
        Message result(raw);
        if (rc != LDAP_SUCCESS)
            return finish(c, r, filter, rc, result.get());
        if (std::string gap = collect_entries(c.ld.get(), result.get(), all); !gap.empty())
            return Result<std::vector<Entry>>::temp_fail("search " + filter + " on " + c.uri +
                                                         ": " + gap);
        LDAPControl** raw_returned = nullptr;
        int err = LDAP_SUCCESS;
        ldap_parse_result(c.ld.get(), result.get(), &err, nullptr, nullptr, nullptr, &raw_returned,
                          0);
        std::unique_ptr<LDAPControl*, ControlsFree> returned(raw_returned);
        LDAPControl* response =
            ldap_control_find(LDAP_CONTROL_PAGEDRESULTS, returned.get(), nullptr);
        if (!response)
            break; // the server does not page: it returned everything at once
        ber_int_t estimate = 0;
        berval next{0, nullptr};
        if (ldap_parse_pageresponse_control(c.ld.get(), response, &estimate, &next) != LDAP_SUCCESS)
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

} // namespace

Result<std::vector<Entry>> search_on(Connection& c, const SearchRequest& request, Deadline deadline,
                                     int& rc) {
    return request.size_limit ? search_once(c, request, deadline, rc)
                              : search_paged(c, request, deadline, rc);
}

Result<std::monostate> modify_on(Connection& c, const std::string& dn,
                                 const std::vector<Modification>& changes, int& rc) {
    Mods mods(changes);
    rc = ldap_modify_ext_s(c.ld.get(), dn.c_str(), mods.get(), nullptr, nullptr);
    if (rc == LDAP_SUCCESS)
        return Result<std::monostate>::found({});
    if (rc == LDAP_NO_SUCH_OBJECT)
        return Result<std::monostate>::not_found("no entry " + dn);
    return Result<std::monostate>::temp_fail("modify " + dn + " on " + c.uri + ": " +
                                             describe_error(c.ld.get(), rc));
}

Result<std::monostate> apply_on(Connection& c, const Change& change, int& rc) {
    using R = Result<std::monostate>;
    const char* what = "modify";
    switch (change.kind) {
    case Change::Kind::add: {
        what = "add";
        std::vector<Modification> additions = as_additions(change.entry);
        Mods mods(additions);
        rc = ldap_add_ext_s(c.ld.get(), change.dn.c_str(), mods.get(), nullptr, nullptr);
        break;
    }
    case Change::Kind::remove:
        what = "delete";
        rc = ldap_delete_ext_s(c.ld.get(), change.dn.c_str(), nullptr, nullptr);
        break;
    case Change::Kind::modify: {
        Mods mods(change.modifications);
        rc = ldap_modify_ext_s(c.ld.get(), change.dn.c_str(), mods.get(), nullptr, nullptr);
        break;
    }
    }
    if (rc == LDAP_SUCCESS)
        return R::found({});
    std::string text = std::string(what) + " " + change.dn + ": " + describe_error(c.ld.get(), rc);
    if (refusal(rc))
        return R::not_found("refused by " + c.uri + ": " + text);
    return R::temp_fail(text + " (" + c.uri + ")");
}

} // namespace vmaildir::ldap
