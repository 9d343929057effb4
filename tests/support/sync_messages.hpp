// The provider's side of RFC 4533 as DER bytes, as slapd's syncprov encodes them (a DEFAULT
// value is left out), for the tests and the fuzz harness of the decoders in
// libvmaildir/src/ldap/sync_messages.hpp.  Written from the ASN.1 in that header, not with
// libldap's encoder, so that the decoders are checked against a second reading.
#pragma once

#include "ldap/sync_messages.hpp"

#include <string>
#include <string_view>

namespace vmaildir::test::der {

/// One element: tag, DER length (short form below 128, else long), content.
inline std::string tlv(unsigned char tag, std::string_view content) {
    std::string out(1, static_cast<char>(tag));
    std::size_t n = content.size();
    if (n < 0x80) {
        out += static_cast<char>(n);
    } else {
        std::string len;
        for (; n; n >>= 8)
            len.insert(len.begin(), static_cast<char>(n & 0xff));
        out += static_cast<char>(0x80 | len.size());
        out += len;
    }
    out += content;
    return out;
}

inline std::string cookie(const std::optional<std::string>& c) {
    return c ? tlv(0x04, *c) : std::string();
}

inline std::string boolean(bool b) {
    return tlv(0x01, std::string(1, b ? '\xff' : '\0'));
}

inline std::string sync_state(const ldap::SyncStateControl& m) {
    return tlv(0x30, tlv(0x0a, std::string(1, static_cast<char>(m.state))) + tlv(0x04, m.uuid) +
                         cookie(m.cookie));
}

inline std::string sync_done(const ldap::SyncDoneControl& m) {
    return tlv(0x30, cookie(m.cookie) + (m.refresh_deletes ? boolean(true) : ""));
}

inline std::string sync_info(const ldap::SyncInfoMessage& m) {
    using Kind = ldap::SyncInfoMessage::Kind;
    switch (m.kind) {
    case Kind::new_cookie:
        return tlv(0x80, m.cookie.value_or(""));
    case Kind::refresh_delete:
    case Kind::refresh_present:
        return tlv(m.kind == Kind::refresh_delete ? 0xa1 : 0xa2,
                   cookie(m.cookie) + (m.refresh_done ? "" : boolean(false)));
    case Kind::sync_id_set: {
        std::string uuids;
        for (const std::string& u : m.uuids)
            uuids += tlv(0x04, u);
        return tlv(0xa3,
                   cookie(m.cookie) + (m.refresh_deletes ? boolean(true) : "") + tlv(0x31, uuids));
    }
    }
    return {};
}

} // namespace vmaildir::test::der
