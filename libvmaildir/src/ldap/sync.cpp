// The content-sync consumer (vmaildir/ldap/sync.hpp), RFC 4533 §2–3:
//
//   Sync Request control   SEQUENCE { mode ENUMERATED, cookie OCTET STRING OPTIONAL,
//                                     reloadHint BOOLEAN DEFAULT FALSE }
//   Sync State control     SEQUENCE { state ENUMERATED (present, add, modify, delete),
//    (on each entry)                  entryUUID OCTET STRING, cookie OPTIONAL }
//   Sync Done control      SEQUENCE { cookie OPTIONAL, refreshDeletes BOOLEAN DEFAULT FALSE }
//    (on SearchResultDone)
//   Sync Info message      CHOICE { newcookie [0], refreshDelete [1] / refreshPresent [2]
//    (intermediate)                 SEQUENCE { cookie OPTIONAL, refreshDone DEFAULT TRUE },
//                                   syncIdSet [3] SEQUENCE { cookie OPTIONAL,
//                                     refreshDeletes DEFAULT FALSE, syncUUIDs SET OF } }
#include "vmaildir/ldap/sync.hpp"

#include "ldap/connection.hpp"
#include "ldap/settings.hpp"

#include <cstring>

namespace vmaildir::ldap {

namespace {

struct BerOwner {
    BerElement* ber;
    ~BerOwner() {
        if (ber)
            ber_free(ber, 1);
    }
};

std::string to_string(const berval& v) {
    return v.bv_val ? std::string(v.bv_val, v.bv_len) : std::string();
}

/// The Sync Request control's value.
bool encode_request(int mode, const std::optional<std::string>& cookie, berval& out) {
    BerOwner b{ber_alloc_t(LBER_USE_DER)};
    if (!b.ber)
        return false;
    int rc;
    if (cookie) {
        berval c{static_cast<ber_len_t>(cookie->size()), const_cast<char*>(cookie->data())};
        rc = ber_printf(b.ber, "{eO}", static_cast<ber_int_t>(mode), &c);
    } else {
        rc = ber_printf(b.ber, "{e}", static_cast<ber_int_t>(mode));
    }
    return rc != -1 && ber_flatten2(b.ber, &out, 1) == 0;
}

/// Reads an optional cookie at the current position of a SEQUENCE.
bool optional_cookie(BerElement* ber, std::optional<std::string>& cookie) {
    ber_len_t len = 0;
    if (ber_peek_tag(ber, &len) != LDAP_TAG_SYNC_COOKIE)
        return true;
    berval c{0, nullptr};
    if (ber_scanf(ber, "m", &c) == LBER_ERROR)
        return false;
    cookie = to_string(c);
    return true;
}

/// Reads an optional BOOLEAN with the given default.
bool optional_bool(BerElement* ber, bool fallback, bool& out) {
    ber_len_t len = 0;
    out = fallback;
    if (ber_peek_tag(ber, &len) != LBER_BOOLEAN)
        return true;
    ber_int_t b = 0;
    if (ber_scanf(ber, "b", &b) == LBER_ERROR)
        return false;
    out = b != 0;
    return true;
}

class Session {
public:
    Session(LDAP* ld, const SyncRequest& request, SyncTarget& target)
        : ld_(ld), request_(request), target_(target) {}

    /// Handles one message; an end when the session is over.
    std::optional<SyncEnd> handle(LDAPMessage* msg) {
        switch (ldap_msgtype(msg)) {
        case LDAP_RES_SEARCH_ENTRY:
            return entry(msg);
        case LDAP_RES_INTERMEDIATE:
            return intermediate(msg);
        case LDAP_RES_SEARCH_RESULT:
            return done(msg);
        case LDAP_RES_SEARCH_REFERENCE:
            return std::nullopt; // referrals are not followed (as for every other search)
        default:
            return lost("unexpected message type " + std::to_string(ldap_msgtype(msg)));
        }
    }

    bool refreshed() const noexcept { return refreshed_; }

private:
    static SyncEnd lost(std::string reason) {
        return SyncEnd{SyncEnd::Why::lost, std::move(reason), {}};
    }

    void got_cookie(const std::optional<std::string>& cookie) {
        if (!cookie)
            return;
        if (refreshed_)
            target_.cookie(*cookie);
        else
            cookie_ = cookie; // kept until the refresh is complete
    }

    void finish_refresh() {
        refreshed_ = true;
        target_.refresh_done(cookie_);
    }

    std::optional<SyncEnd> entry(LDAPMessage* msg) {
        LDAPControl** raw = nullptr;
        if (ldap_get_entry_controls(ld_, msg, &raw) != LDAP_SUCCESS || !raw)
            return lost("an entry without a Sync State control");
        std::unique_ptr<LDAPControl*, ControlsFree> controls(raw);
        LDAPControl* state_control = ldap_control_find(LDAP_CONTROL_SYNC_STATE, raw, nullptr);
        if (!state_control)
            return lost("an entry without a Sync State control");
        BerOwner b{ber_init(&state_control->ldctl_value)};
        ber_int_t state = -1;
        berval uuid{0, nullptr};
        std::optional<std::string> cookie;
        if (!b.ber || ber_scanf(b.ber, "{em", &state, &uuid) == LBER_ERROR || uuid.bv_len != 16 ||
            !optional_cookie(b.ber, cookie))
            return lost("a malformed Sync State control");
        SyncUuid id = to_string(uuid);
        switch (state) {
        case LDAP_SYNC_PRESENT:
            target_.present(id);
            break;
        case LDAP_SYNC_ADD:
        case LDAP_SYNC_MODIFY: {
            std::vector<Entry> entries;
            collect_entries(ld_, msg, entries);
            if (entries.size() != 1)
                return lost("an entry that cannot be read");
            target_.changed(id, std::move(entries.front()));
            break;
        }
        case LDAP_SYNC_DELETE:
            target_.removed(id);
            break;
        default:
            return lost("an unknown sync state " + std::to_string(state));
        }
        got_cookie(cookie);
        return std::nullopt;
    }

    std::optional<SyncEnd> intermediate(LDAPMessage* msg) {
        char* raw_oid = nullptr;
        berval* raw_data = nullptr;
        if (ldap_parse_intermediate(ld_, msg, &raw_oid, &raw_data, nullptr, 0) != LDAP_SUCCESS)
            return lost("a malformed intermediate response");
        std::unique_ptr<char, MemFree> oid(raw_oid);
        std::unique_ptr<berval, void (*)(berval*)> data(raw_data, ber_bvfree);
        if (!raw_oid || std::strcmp(raw_oid, LDAP_SYNC_INFO) != 0 || !raw_data)
            return std::nullopt; // not ours: ignore
        BerOwner b{ber_init(raw_data)};
        if (!b.ber)
            return lost("a malformed Sync Info message");
        ber_len_t len = 0;
        std::optional<std::string> cookie;
        switch (ber_peek_tag(b.ber, &len)) {
        case LDAP_TAG_SYNC_NEW_COOKIE: {
            berval c{0, nullptr};
            if (ber_scanf(b.ber, "m", &c) == LBER_ERROR)
                return lost("a malformed Sync Info newcookie");
            got_cookie(to_string(c));
            return std::nullopt;
        }
        case LDAP_TAG_SYNC_REFRESH_DELETE:
        case LDAP_TAG_SYNC_REFRESH_PRESENT: {
            bool present = ber_peek_tag(b.ber, &len) == LDAP_TAG_SYNC_REFRESH_PRESENT;
            bool refresh_done = true;
            if (ber_scanf(b.ber, "{") == LBER_ERROR || !optional_cookie(b.ber, cookie) ||
                !optional_bool(b.ber, true, refresh_done))
                return lost("a malformed Sync Info refresh message");
            if (cookie)
                cookie_ = cookie;
            if (present)
                target_.present_phase_done();
            if (refresh_done && !refreshed_)
                finish_refresh();
            return std::nullopt;
        }
        case LDAP_TAG_SYNC_ID_SET: {
            bool deletes = false;
            BerVarray uuids = nullptr;
            if (ber_scanf(b.ber, "{") == LBER_ERROR || !optional_cookie(b.ber, cookie) ||
                !optional_bool(b.ber, false, deletes) ||
                ber_scanf(b.ber, "[W]}", &uuids) == LBER_ERROR)
                return lost("a malformed Sync Info syncIdSet");
            for (BerVarray u = uuids; u && u->bv_val; ++u) {
                if (deletes)
                    target_.removed(to_string(*u));
                else
                    target_.present(to_string(*u));
            }
            ber_bvarray_free(uuids);
            got_cookie(cookie);
            return std::nullopt;
        }
        default:
            return lost("an unknown Sync Info message");
        }
    }

    std::optional<SyncEnd> done(LDAPMessage* msg) {
        int err = 0;
        char* raw_text = nullptr;
        LDAPControl** raw = nullptr;
        if (ldap_parse_result(ld_, msg, &err, nullptr, &raw_text, nullptr, &raw, 0) != LDAP_SUCCESS)
            return lost("a malformed search result");
        std::unique_ptr<char, MemFree> text(raw_text);
        std::unique_ptr<LDAPControl*, ControlsFree> controls(raw);
        std::string detail = raw_text && *raw_text ? std::string(": ") + raw_text : "";
        if (err == LDAP_SYNC_REFRESH_REQUIRED)
            return SyncEnd{SyncEnd::Why::refresh_required,
                           "the provider cannot resume from our cookie" + detail,
                           {}};
        if (err != LDAP_SUCCESS) {
            bool limited = err == LDAP_SIZELIMIT_EXCEEDED || err == LDAP_TIMELIMIT_EXCEEDED ||
                           err == LDAP_ADMINLIMIT_EXCEEDED;
            return lost(std::string("sync search failed: ") + ldap_err2string(err) + " (" +
                        std::to_string(err) + ")" + detail +
                        (limited ? " (the provider limits bind_dn's searches: a replica needs "
                                   "`limits dn.exact=\"BIND_DN\" size=unlimited time=unlimited`)"
                                 : ""));
        }
        LDAPControl* done_control =
            raw ? ldap_control_find(LDAP_CONTROL_SYNC_DONE, raw, nullptr) : nullptr;
        std::optional<std::string> cookie;
        bool deletes = false;
        if (done_control) {
            BerOwner b{ber_init(&done_control->ldctl_value)};
            if (!b.ber || ber_scanf(b.ber, "{") == LBER_ERROR || !optional_cookie(b.ber, cookie) ||
                !optional_bool(b.ber, false, deletes))
                return lost("a malformed Sync Done control");
        }
        if (!refreshed_) {
            if (cookie)
                cookie_ = cookie;
            if (!deletes)
                target_.present_phase_done();
            finish_refresh();
        } else {
            got_cookie(cookie);
        }
        if (request_.persist)
            return lost("the provider ended the sync session" + detail);
        return SyncEnd{SyncEnd::Why::refreshed, {}, {}};
    }

    LDAP* ld_;
    const SyncRequest& request_;
    SyncTarget& target_;
    bool refreshed_ = false;
    std::optional<std::string> cookie_;
};

} // namespace

SyncEnd run_sync(const Config& config, const SyncRequest& request, SyncTarget& target,
                 const std::atomic<bool>& stop, Logger& log) {
    const LdapSettings* settings = ldap_settings(config);
    if (!settings)
        return SyncEnd{SyncEnd::Why::lost, "the configuration sets up no LDAP server", {}};
    auto opened = open_connection(*settings, true, Deadline::after(config.timeout), log);
    if (!opened.is_found())
        return SyncEnd{SyncEnd::Why::lost, opened.reason(), {}};
    Connection connection = std::move(opened).value();
    LDAP* ld = connection.ld.get();
    auto end = [&](SyncEnd e) {
        e.provider = connection.uri;
        return e;
    };

    berval value{0, nullptr};
    if (!encode_request(request.persist ? LDAP_SYNC_REFRESH_AND_PERSIST : LDAP_SYNC_REFRESH_ONLY,
                        request.cookie, value))
        return end(SyncEnd{SyncEnd::Why::lost, "cannot encode the Sync Request control", {}});
    std::unique_ptr<char, void (*)(void*)> value_owner(value.bv_val, ber_memfree);
    LDAPControl control{const_cast<char*>(LDAP_CONTROL_SYNC), value, 1};
    LDAPControl* controls[] = {&control, nullptr};
    CStrings attributes(request.attributes);
    std::string filter = "(objectClass=*)";
    int msgid = 0;
    int rc = ldap_search_ext(ld, request.base.c_str(), LDAP_SCOPE_SUBTREE, filter.data(),
                             attributes.get(), 0, controls, nullptr, nullptr, 0, &msgid);
    if (rc != LDAP_SUCCESS)
        return end(SyncEnd{SyncEnd::Why::lost, "sync search: " + describe_error(ld, rc), {}});

    target.refresh_begins(connection.uri);
    Session session(ld, request, target);
    auto last_message = Clock::now();
    auto last_idle = last_message;
    while (!stop.load()) {
        LDAPMessage* raw = nullptr;
        timeval tv{0, 200000}; // wake up five times a second to notice `stop`
        rc = ldap_result(ld, msgid, LDAP_MSG_ONE, &tv, &raw);
        Message msg(raw);
        if (rc == -1) {
            int err = LDAP_SERVER_DOWN;
            ldap_get_option(ld, LDAP_OPT_RESULT_CODE, &err);
            return end(SyncEnd{SyncEnd::Why::lost, "sync session: " + describe_error(ld, err), {}});
        }
        if (rc == 0) {
            if (session.refreshed()) {
                last_idle = Clock::now();
                if (!target.idle())
                    return end(SyncEnd{SyncEnd::Why::stopped, "ended by the daemon", {}});
            } else if (Clock::now() - last_message > request.refresh_silence) {
                ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                return end(SyncEnd{SyncEnd::Why::lost,
                                   "the provider sent nothing for " +
                                       std::to_string(request.refresh_silence.count() / 1000) +
                                       "s during a refresh",
                                   {}});
            }
            continue;
        }
        last_message = Clock::now();
        if (auto e = session.handle(msg.get())) {
            if (e->why == SyncEnd::Why::lost && ldap_msgtype(msg.get()) != LDAP_RES_SEARCH_RESULT)
                ldap_abandon_ext(ld, msgid, nullptr, nullptr);
            return end(std::move(*e));
        }
        // A steady stream of changes never leaves the wait empty: still look up once a second.
        if (session.refreshed() && last_message - last_idle >= std::chrono::seconds(1)) {
            last_idle = last_message;
            if (!target.idle()) {
                ldap_abandon_ext(ld, msgid, nullptr, nullptr);
                return end(SyncEnd{SyncEnd::Why::stopped, "ended by the daemon", {}});
            }
        }
    }
    ldap_abandon_ext(ld, msgid, nullptr, nullptr);
    return end(SyncEnd{SyncEnd::Why::stopped, "stopping", {}});
}

} // namespace vmaildir::ldap
