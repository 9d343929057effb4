// The decoders of a content-sync provider's messages (libvmaildir/src/ldap/sync_messages.hpp):
// the Sync State and Sync Done controls and the Sync Info message, as slapd's syncprov encodes
// them and as a broken or hostile provider might.  What a session does with them is
// tests/integration/replica_test.cpp, against a real slapd.
#include "ldap/sync_messages.hpp"
#include "support/sync_messages.hpp"

#include <doctest/doctest.h>
#include <string>
#include <variant>

using namespace vmaildir::ldap;
namespace der = vmaildir::test::der;

namespace {

const std::string uuid_a(16, 'a'), uuid_b(16, 'b');

template <class T> T decoded(const Decoded<T>& d) {
    if (const auto* why = std::get_if<std::string>(&d))
        FAIL_CHECK("not decoded: " << *why);
    REQUIRE(std::holds_alternative<T>(d));
    return std::get<T>(d);
}

template <class T> std::string refused(const Decoded<T>& d) {
    REQUIRE(std::holds_alternative<std::string>(d));
    return std::get<std::string>(d);
}

} // namespace

TEST_CASE("Sync State: each state, with and without a cookie") {
    for (auto state : {SyncStateControl::State::present, SyncStateControl::State::add,
                       SyncStateControl::State::modify, SyncStateControl::State::remove}) {
        auto m = decoded(decode_sync_state(der::sync_state({state, uuid_a, std::nullopt})));
        CHECK(m.state == state);
        CHECK(m.uuid == uuid_a);
        CHECK_FALSE(m.cookie);
    }
    auto m = decoded(decode_sync_state(
        der::sync_state({SyncStateControl::State::add, uuid_b, "rid=001,csn=1"})));
    CHECK(m.cookie == "rid=001,csn=1");
}

TEST_CASE("Sync State: a malformed control or an unknown state is refused, and says which") {
    // A control without a value: libldap's decoder, given no bytes, read a null buffer, and the
    // replica daemon died of SIGSEGV.
    CHECK(refused(decode_sync_state("")) == "a malformed Sync State control");
    CHECK(refused(decode_sync_state(std::string_view("\x30\x00", 2))) ==
          "a malformed Sync State control");
    // An entryUUID is 16 bytes.
    CHECK(refused(decode_sync_state(
              der::tlv(0x30, der::tlv(0x0a, "\x01") + der::tlv(0x04, std::string(15, 'a'))))) ==
          "a malformed Sync State control");
    // Cut short anywhere.
    std::string whole = der::sync_state({SyncStateControl::State::add, uuid_a, "cookie"});
    for (std::size_t n = 0; n + 8 < whole.size(); ++n)
        CHECK(std::holds_alternative<std::string>(decode_sync_state(whole.substr(0, n))));
    CHECK(refused(
              decode_sync_state(der::tlv(0x30, der::tlv(0x0a, "\x07") + der::tlv(0x04, uuid_a)))) ==
          "an unknown sync state 7");
}

TEST_CASE("Sync Done: the defaults, a cookie and refreshDeletes") {
    auto empty = decoded(decode_sync_done(der::tlv(0x30, "")));
    CHECK_FALSE(empty.cookie);
    CHECK_FALSE(empty.refresh_deletes);
    auto full = decoded(decode_sync_done(der::sync_done({"rid=001,csn=2", true})));
    CHECK(full.cookie == "rid=001,csn=2");
    CHECK(full.refresh_deletes);
    CHECK(refused(decode_sync_done("\x04")) == "a malformed Sync Done control");
    CHECK(refused(decode_sync_done("")) == "a malformed Sync Done control");
}

TEST_CASE("Sync Info: newcookie, refreshDelete, refreshPresent and syncIdSet") {
    using Kind = SyncInfoMessage::Kind;
    auto nc = decoded(decode_sync_info(der::tlv(0x80, "rid=001,csn=3")));
    CHECK(nc.kind == Kind::new_cookie);
    CHECK(nc.cookie == "rid=001,csn=3");

    auto del = decoded(decode_sync_info(der::tlv(0xa1, "")));
    CHECK(del.kind == Kind::refresh_delete);
    CHECK(del.refresh_done); // DEFAULT TRUE
    CHECK_FALSE(del.cookie);

    SyncInfoMessage present;
    present.kind = Kind::refresh_present;
    present.cookie = "c";
    present.refresh_done = false;
    auto p = decoded(decode_sync_info(der::sync_info(present)));
    CHECK(p.kind == Kind::refresh_present);
    CHECK(p.cookie == "c");
    CHECK_FALSE(p.refresh_done);

    SyncInfoMessage ids;
    ids.kind = Kind::sync_id_set;
    ids.refresh_deletes = true;
    ids.uuids = {uuid_a, uuid_b};
    auto i = decoded(decode_sync_info(der::sync_info(ids)));
    CHECK(i.kind == Kind::sync_id_set);
    CHECK(i.refresh_deletes);
    CHECK(i.uuids == ids.uuids);
    ids.uuids.clear();
    CHECK(decoded(decode_sync_info(der::sync_info(ids))).uuids.empty());
}

TEST_CASE("Sync Info: a syncIdSet whose entryUUID is not 16 bytes ends the session") {
    // Before, such a uuid went on to the store as it was, where no entry can have it: a
    // "present" named nothing, so the present phase removed the entry the provider meant.
    SyncInfoMessage ids;
    ids.kind = SyncInfoMessage::Kind::sync_id_set;
    ids.uuids = {uuid_a, "short"};
    CHECK(refused(decode_sync_info(der::sync_info(ids))) ==
          "a malformed Sync Info syncIdSet (an entryUUID of 5 bytes)");
    ids.uuids = {std::string()};
    CHECK(refused(decode_sync_info(der::sync_info(ids))) ==
          "a malformed Sync Info syncIdSet (an entryUUID of 0 bytes)");
}

TEST_CASE("Sync Info: an unknown choice or garbage is refused") {
    CHECK(refused(decode_sync_info(der::tlv(0xa4, ""))) == "an unknown Sync Info message");
    CHECK(refused(decode_sync_info("")) == "a malformed Sync Info message");
    // Longer than what is there, outside and inside.
    CHECK(refused(decode_sync_info(std::string_view("\xa3\x05\x04\x01x", 5))) ==
          "a malformed Sync Info message");
    CHECK(refused(decode_sync_info(std::string_view("\xa3\x03\x04\x05x", 5))) ==
          "a malformed Sync Info syncIdSet");
}
