// model/quota: every stored quota form to bytes, and what is refused.
#include "vmaildir/model/quota.hpp"

#include <cstdint>
#include <doctest/doctest.h>
#include <optional>
#include <string_view>

using vmaildir::quota_bytes;

TEST_CASE("stored quotas give byte limits") {
    struct Case {
        std::string_view stored;
        std::optional<std::uint64_t> bytes;
    };
    const Case cases[] = {
        {"100000000", 100000000},
        {"100000000S", 100000000},     // Courier maildirsize, the jamm/courier presets
        {"10000000S,1000C", 10000000}, // a message count adds no byte limit
        {"1000C,10000000S", 10000000},
        {"1000C", 0}, // count only: no byte limit
        {"0", 0},
        {"100M", 100ull << 20}, // the mailrouter preset
        {"32k", 32ull << 10},
        {"2G", 2ull << 30},
        {"1T", 1ull << 40},
        {" 5M ", 5ull << 20},
        {"", std::nullopt},
        {"M", std::nullopt},
        {"S", std::nullopt},
        {"-5", std::nullopt},
        {"5X", std::nullopt},
        {"10S,20S", std::nullopt},
        {"10S;1C", std::nullopt},
        {"1.5M", std::nullopt},
        {"99999999999999999999", std::nullopt}, // overflow
        {"17179869184G", std::nullopt},         // overflows once scaled
    };
    for (const Case& c : cases) {
        CAPTURE(c.stored);
        CHECK(quota_bytes(c.stored) == c.bytes);
    }
}
