// Every map over the three example directories: SPEC §3 order, live flags,
// sub-addressing, catch-alls, hostile keys.  One row per question.
#include <doctest/doctest.h>

#include "support/example_rows.hpp"
#include "support/fixtures.hpp"
#include "vmaildir/maps.hpp"

using namespace vmaildir;
using vmaildir::test::Fixture;

TEST_CASE("maps over the example directories") {
    for (const char* preset : {"jamm", "courier", "mailrouter"}) {
        Fixture f(preset);
        for (const test::Row& row : test::example_rows) {
            if (!test::applies(row, preset))
                continue;
            CAPTURE(preset);
            CAPTURE(row.name);
            CAPTURE(row.key);
            auto r = f.service->lookup(*parse_map_name(row.map), row.key);
            CHECK_MESSAGE(r.outcome() == row.outcome, r.reason());
            if (row.outcome == Outcome::found && r.is_found())
                CHECK(r.value() == row.values);
        }
    }
}

TEST_CASE("every map answers temporary failure when the directory fails or hangs") {
    for (auto mode : {test::ScriptedDirectory::Mode::temp_fail, test::ScriptedDirectory::Mode::hang}) {
        Fixture f("jamm");
        f.scripted->mode = mode;
        for (const std::string& name : map_names()) {
            CAPTURE(name);
            auto key = name == "domain" ? std::string("example.org") : "alice@example.org";
            auto r = f.service->lookup(*parse_map_name(name), key);
            CHECK(r.is_temp_fail());
            CHECK_FALSE(r.reason().empty());
        }
    }
}

TEST_CASE("hostile keys never reach the directory as anything but an escaped value") {
    Fixture f("jamm");
    auto r = f.service->lookup(MapName::alias, "*@example.org");
    CHECK(r.is_not_found());
    // The directory was asked (the key is a valid address) and the star stayed literal.
    CHECK(f.scripted->searches.load() == 1);
    auto bad = f.service->lookup(MapName::alias, std::string("a\0b", 3));
    CHECK(bad.is_not_found());
    CHECK(f.scripted->searches.load() == 1); // not even asked
}

TEST_CASE("a broken service defers everything") {
    auto log = make_null_logger();
    auto service = Service::broken("configuration error: test", *log);
    for (const std::string& name : map_names()) {
        CAPTURE(name);
        auto r = service->lookup(*parse_map_name(name), "alice@example.org");
        CHECK(r.is_temp_fail());
        CHECK(r.reason().find("configuration error") != std::string::npos);
    }
    CHECK(service->authenticate("alice@example.org", "alice-pw", "imap").is_temp_fail());
    CHECK(service->accounts().is_temp_fail());
    CHECK(service->check().is_temp_fail());
}
