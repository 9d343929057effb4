// The content-sync consumer (vmaildir/ldap/sync.hpp), RFC 4533 §2–3.  It sends the Sync
// Request control,
//
//   SEQUENCE { mode ENUMERATED, cookie OCTET STRING OPTIONAL, reloadHint BOOLEAN DEFAULT FALSE }
//
// and acts on the provider's messages, which ldap/sync_messages.hpp decodes.
#include "vmaildir/ldap/sync.hpp"

#include "ldap/connection.hpp"
#include "ldap/settings.hpp"
#include "ldap/sync_messages.hpp"

#include <cstring>
#include <string_view>
#include <variant>

namespace vmaildir::ldap {

namespace {

/// The Sync Request control's value.
bool encode_request(int mode, const std::optional<std::string>& cookie, berval& out) {
    std::unique_ptr<BerElement, BerBufferFree> b(ber_alloc_t(LBER_USE_DER));
    if (!b)
        return false;
    int rc;
    if (cookie) {
        berval c{static_cast<ber_len_t>(cookie->size()), const_cast<char*>(cookie->data())};
        rc = ber_printf(b.get(), "{eO}", static_cast<ber_int_t>(mode), &c);
    } else {
        rc = ber_printf(b.get(), "{e}", static_cast<ber_int_t>(mode));
    }
    return rc != -1 && ber_flatten2(b.get(), &out, 1) == 0;
}

std::string_view view(const berval& v) {
    return v.bv_val ? std::string_view(v.bv_val, v.bv_len) : std::string_view();
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
        auto decoded = decode_sync_state(view(state_control->ldctl_value));
        if (auto* why = std::get_if<std::string>(&decoded))
            return lost(*why);
        auto& state = std::get<SyncStateControl>(decoded);
        switch (state.state) {
        case SyncStateControl::State::present:
            target_.present(state.uuid);
            break;
        case SyncStateControl::State::add:
        case SyncStateControl::State::modify: {
            std::vector<Entry> entries;
            if (!collect_entries(ld_, msg, entries).empty() || entries.size() != 1)
                return lost("an entry that cannot be read");
            target_.changed(state.uuid, std::move(entries.front()));
            break;
        }
        case SyncStateControl::State::remove:
            target_.removed(state.uuid);
            break;
        }
        got_cookie(state.cookie);
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
        auto decoded = decode_sync_info(view(*raw_data));
        if (auto* why = std::get_if<std::string>(&decoded))
            return lost(*why);
        auto& info = std::get<SyncInfoMessage>(decoded);
        switch (info.kind) {
        case SyncInfoMessage::Kind::new_cookie:
            got_cookie(info.cookie);
            break;
        case SyncInfoMessage::Kind::refresh_delete:
        case SyncInfoMessage::Kind::refresh_present:
            if (info.cookie)
                cookie_ = info.cookie;
            if (info.kind == SyncInfoMessage::Kind::refresh_present)
                target_.present_phase_done();
            if (info.refresh_done && !refreshed_)
                finish_refresh();
            break;
        case SyncInfoMessage::Kind::sync_id_set:
            for (const SyncUuid& u : info.uuids) {
                if (info.refresh_deletes)
                    target_.removed(u);
                else
                    target_.present(u);
            }
            got_cookie(info.cookie);
            break;
        }
        return std::nullopt;
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
        SyncDoneControl sync_done; // no control: no cookie, refreshDeletes FALSE
        if (done_control) {
            auto decoded = decode_sync_done(view(done_control->ldctl_value));
            if (auto* why = std::get_if<std::string>(&decoded))
                return lost(*why);
            sync_done = std::get<SyncDoneControl>(decoded);
        }
        if (!refreshed_) {
            if (sync_done.cookie)
                cookie_ = sync_done.cookie;
            if (!sync_done.refresh_deletes)
                target_.present_phase_done();
            finish_refresh();
        } else {
            got_cookie(sync_done.cookie);
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
