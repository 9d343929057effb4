// The decoders of vmaildir/ldap/sync_messages.hpp, over libldap's BER decoder.
#include "ldap/sync_messages.hpp"

#include "ldap/connection.hpp"

#include <memory>

namespace vmaildir::ldap {

namespace {

static_assert(static_cast<int>(SyncStateControl::State::present) == LDAP_SYNC_PRESENT &&
              static_cast<int>(SyncStateControl::State::add) == LDAP_SYNC_ADD &&
              static_cast<int>(SyncStateControl::State::modify) == LDAP_SYNC_MODIFY &&
              static_cast<int>(SyncStateControl::State::remove) == LDAP_SYNC_DELETE);

constexpr std::size_t uuid_size = 16;

using Ber = std::unique_ptr<BerElement, BerBufferFree>;

/// A decoder over a copy of `value` (ber_init copies it), or none for an empty value: over no
/// bytes, libldap 2.5's ber_init() leaves a null buffer that its decoder then reads (a control
/// sent without a value crashed the replica daemon).
Ber reader(std::string_view value) {
    if (value.empty())
        return nullptr;
    berval bv{static_cast<ber_len_t>(value.size()), const_cast<char*>(value.data())};
    return Ber(ber_init(&bv));
}

std::string to_string(const berval& v) {
    return v.bv_val ? std::string(v.bv_val, v.bv_len) : std::string();
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

struct BerArrayFree {
    void operator()(BerVarray a) const noexcept { ber_bvarray_free(a); }
};

} // namespace

Decoded<SyncStateControl> decode_sync_state(std::string_view value) {
    Ber b = reader(value);
    ber_int_t state = -1;
    berval uuid{0, nullptr};
    SyncStateControl out;
    if (!b || ber_scanf(b.get(), "{em", &state, &uuid) == LBER_ERROR || uuid.bv_len != uuid_size ||
        !optional_cookie(b.get(), out.cookie))
        return "a malformed Sync State control";
    if (state < LDAP_SYNC_PRESENT || state > LDAP_SYNC_DELETE)
        return "an unknown sync state " + std::to_string(state);
    out.state = static_cast<SyncStateControl::State>(state);
    out.uuid = to_string(uuid);
    return out;
}

Decoded<SyncDoneControl> decode_sync_done(std::string_view value) {
    Ber b = reader(value);
    SyncDoneControl out;
    if (!b || ber_scanf(b.get(), "{") == LBER_ERROR || !optional_cookie(b.get(), out.cookie) ||
        !optional_bool(b.get(), false, out.refresh_deletes))
        return "a malformed Sync Done control";
    return out;
}

Decoded<SyncInfoMessage> decode_sync_info(std::string_view value) {
    Ber b = reader(value);
    if (!b)
        return "a malformed Sync Info message";
    SyncInfoMessage out;
    ber_len_t len = 0;
    switch (ber_peek_tag(b.get(), &len)) {
    case LDAP_TAG_SYNC_NEW_COOKIE: {
        berval c{0, nullptr};
        if (ber_scanf(b.get(), "m", &c) == LBER_ERROR)
            return "a malformed Sync Info newcookie";
        out.kind = SyncInfoMessage::Kind::new_cookie;
        out.cookie = to_string(c);
        return out;
    }
    case LDAP_TAG_SYNC_REFRESH_DELETE:
    case LDAP_TAG_SYNC_REFRESH_PRESENT:
        out.kind = ber_peek_tag(b.get(), &len) == LDAP_TAG_SYNC_REFRESH_PRESENT
                       ? SyncInfoMessage::Kind::refresh_present
                       : SyncInfoMessage::Kind::refresh_delete;
        if (ber_scanf(b.get(), "{") == LBER_ERROR || !optional_cookie(b.get(), out.cookie) ||
            !optional_bool(b.get(), true, out.refresh_done))
            return "a malformed Sync Info refresh message";
        return out;
    case LDAP_TAG_SYNC_ID_SET: {
        out.kind = SyncInfoMessage::Kind::sync_id_set;
        BerVarray raw = nullptr;
        if (ber_scanf(b.get(), "{") == LBER_ERROR || !optional_cookie(b.get(), out.cookie) ||
            !optional_bool(b.get(), false, out.refresh_deletes) ||
            ber_scanf(b.get(), "[W]}", &raw) == LBER_ERROR)
            return "a malformed Sync Info syncIdSet";
        std::unique_ptr<berval, BerArrayFree> uuids(raw);
        for (BerVarray u = raw; u && u->bv_val; ++u) {
            if (u->bv_len != uuid_size)
                return "a malformed Sync Info syncIdSet (an entryUUID of " +
                       std::to_string(u->bv_len) + " bytes)";
            out.uuids.push_back(to_string(*u));
        }
        return out;
    }
    case LBER_DEFAULT:
        return "a malformed Sync Info message";
    default:
        return "an unknown Sync Info message";
    }
}

} // namespace vmaildir::ldap
