// Every map over the three example directories: SPEC §3 order, live flags,
// sub-addressing, catch-alls, hostile keys.  One row per question.  The core's
// lookups alone (resolve/lookups.hpp), over an in-memory directory: this binary
// links no LDAP and no cryptography.
#include <doctest/doctest.h>

#include "resolve/lookups.hpp"
#include "support/example_rows.hpp"
#include "support/scripted_directory.hpp"
#include "vmaildir/resolve/maps.hpp"

using namespace vmaildir;

namespace {

/// The lookups of the example configuration of `preset` over its scripted example directory.
struct Fixture {
    explicit Fixture(const std::string& preset)
        : config(test::example_config(preset)), directory(test::example_directory(preset)),
          log(make_null_logger()), lookups(config, directory, *log) {}
    Config config;
    test::ScriptedDirectory directory;
    std::unique_ptr<Logger> log;
    Lookups lookups;
    MapAnswers& maps = lookups.maps;
    test::ScriptedDirectory* scripted = &directory;
};

} // namespace

TEST_CASE("maps over the example directories") {
    for (const char* preset : {"jamm", "courier", "mailrouter"}) {
        Fixture f(preset);
        for (const test::Row& row : test::example_rows) {
            if (!test::applies(row, preset))
                continue;
            CAPTURE(preset);
            CAPTURE(row.name);
            CAPTURE(row.key);
            auto r = f.maps.lookup(*parse_map_name(row.map), row.key);
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
            auto r = f.maps.lookup(*parse_map_name(name), key);
            CHECK(r.is_temp_fail());
            CHECK_FALSE(r.reason().empty());
        }
    }
}

TEST_CASE("hostile keys never reach the directory as anything but an escaped value") {
    Fixture f("jamm");
    auto r = f.maps.lookup(MapName::alias, "*@example.org");
    CHECK(r.is_not_found());
    // The directory was asked (the key is a valid address) and the star stayed literal.
    CHECK(f.scripted->searches.load() == 1);
    auto bad = f.maps.lookup(MapName::alias, std::string("a\0b", 3));
    CHECK(bad.is_not_found());
    CHECK(f.scripted->searches.load() == 1); // not even asked
}
