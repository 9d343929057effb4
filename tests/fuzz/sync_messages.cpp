// What a content-sync provider sends, as the replica's session decodes it
// (libvmaildir/src/ldap/sync_messages.hpp): the input is the value of a Sync State control, of
// a Sync Done control and of a Sync Info message, each decoder in turn.  A broken or hostile
// provider chooses these bytes.  Properties: no crash; a refusal says why in one line; a Sync
// State names one of the four states and a 16-byte entryUUID; a syncIdSet holds only 16-byte
// entryUUIDs; whatever decodes, encoded again as syncprov would (tests/support's DER writer,
// an encoder written apart from libldap's), decodes to the same message.
#include "ldap/sync_messages.hpp"

#include "fuzz.hpp"
#include "support/sync_messages.hpp"

#include <variant>

using namespace vmaildir;
using namespace vmaildir::ldap;
namespace der = vmaildir::test::der;

namespace {

bool same(const SyncStateControl& a, const SyncStateControl& b) {
    return a.state == b.state && a.uuid == b.uuid && a.cookie == b.cookie;
}
bool same(const SyncDoneControl& a, const SyncDoneControl& b) {
    return a.cookie == b.cookie && a.refresh_deletes == b.refresh_deletes;
}
bool same(const SyncInfoMessage& a, const SyncInfoMessage& b) {
    if (a.kind != b.kind || a.cookie != b.cookie)
        return false;
    switch (a.kind) {
    case SyncInfoMessage::Kind::new_cookie:
        return true;
    case SyncInfoMessage::Kind::refresh_delete:
    case SyncInfoMessage::Kind::refresh_present:
        return a.refresh_done == b.refresh_done;
    case SyncInfoMessage::Kind::sync_id_set:
        return a.refresh_deletes == b.refresh_deletes && a.uuids == b.uuids;
    }
    return false;
}

/// The decoded message, or nullptr after checking the refusal.
template <class T> const T* check(const Decoded<T>& d) {
    if (const auto* why = std::get_if<std::string>(&d)) {
        fuzz::require(!why->empty() && why->find('\n') == std::string::npos,
                      "a refusal says why in one line");
        return nullptr;
    }
    return &std::get<T>(d);
}

template <class T, class Decode, class Encode>
void round_trip(const T& m, Decode decode, Encode encode) {
    auto again = decode(encode(m));
    const T* back = std::get_if<T>(&again);
    fuzz::require(back && same(*back, m), "a decoded message, encoded again, decodes to itself");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);

    const auto state_control = decode_sync_state(in);
    const auto done_control = decode_sync_done(in);
    const auto info_message = decode_sync_info(in);
    if (const auto* state = check(state_control)) {
        fuzz::require(state->uuid.size() == 16, "a Sync State names a 16-byte entryUUID");
        fuzz::require(static_cast<int>(state->state) >= 0 && static_cast<int>(state->state) <= 3,
                      "a Sync State is present, add, modify or delete");
        round_trip(*state, decode_sync_state, der::sync_state);
    }
    if (const auto* done = check(done_control))
        round_trip(*done, decode_sync_done, der::sync_done);
    if (const auto* info = check(info_message)) {
        fuzz::require(info->kind != SyncInfoMessage::Kind::new_cookie || info->cookie,
                      "a newcookie carries a cookie");
        for (const SyncUuid& u : info->uuids)
            fuzz::require(u.size() == 16, "a syncIdSet holds 16-byte entryUUIDs");
        round_trip(*info, decode_sync_info, der::sync_info);
    }
    return 0;
}
