// util/base64: RFC 4648 §10 test vectors both ways, and everything that is not base64.
#include "vmaildir/util/base64.hpp"

#include <doctest/doctest.h>
#include <optional>
#include <string>
#include <string_view>

using vmaildir::util::base64_decode;
using vmaildir::util::base64_encode;

namespace {

using namespace std::string_literals;

TEST_CASE("base64: RFC 4648 test vectors and binary data round trip") {
    struct Row {
        std::string_view name;
        std::string bytes;
        std::string text;
    };
    const Row rows[] = {
        {"empty", "", ""},
        {"f", "f", "Zg=="},
        {"fo", "fo", "Zm8="},
        {"foo", "foo", "Zm9v"},
        {"foob", "foob", "Zm9vYg=="},
        {"fooba", "fooba", "Zm9vYmE="},
        {"foobar", "foobar", "Zm9vYmFy"},
        {"NUL bytes", "\0\0\0"s, "AAAA"},
        {"single NUL", "\0"s, "AA=="},
        {"trailing NUL kept", "a\0"s, "YQA="},
        {"high bytes use + and /", "\xfb\xff\xbf", "+/+/"},
        {"all ones", "\xff\xff", "//8="},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(base64_encode(r.bytes) == r.text);
        auto decoded = base64_decode(r.text);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == r.bytes);
    }
}

TEST_CASE("base64: every byte value round trips") {
    std::string all;
    for (int i = 0; i < 256; ++i)
        all += static_cast<char>(i);
    for (std::size_t len : {0u, 1u, 2u, 3u, 4u, 255u, 256u}) {
        CAPTURE(len);
        std::string bytes = all.substr(0, len);
        auto decoded = base64_decode(base64_encode(bytes));
        REQUIRE(decoded.has_value());
        CHECK(*decoded == bytes);
    }
}

TEST_CASE("base64: blanks are ignored (LDIF folds long values)") {
    struct Row {
        std::string_view name;
        std::string text;
        std::string bytes;
    };
    const Row rows[] = {
        {"spaces", " Zm9v YmFy ", "foobar"},
        {"folded line", "Zm9vYm\r\n Fy", "foobar"},
        {"tab inside padding", "Zg=\t=", "f"},
        {"only blanks", " \n\t", ""},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        auto decoded = base64_decode(r.text);
        REQUIRE(decoded.has_value());
        CHECK(*decoded == r.bytes);
    }
}

TEST_CASE("base64: malformed input decodes to nothing") {
    struct Row {
        std::string_view name;
        std::string text;
    };
    const Row rows[] = {
        {"length not a multiple of 4", "Zm9"},
        {"missing padding", "Zg"},
        {"one character", "Z"},
        {"character outside the alphabet", "Zm9*"},
        {"URL-safe alphabet", "-_-_"},
        {"NUL inside", "Zm\0v"s},
        {"padding in the first position", "=Zm9"},
        {"padding in the second position", "Z=m9"},
        {"three padding characters", "Z==="},
        {"only padding", "===="},
        {"data after padding", "Zg==Zm9v"},
        {"data after single padding", "Zm8=Zm9v"},
        {"padding then data in one group", "Zg=v"},
        {"non-ASCII byte", "Zm9\xC3"},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK_FALSE(base64_decode(r.text).has_value());
    }
}

} // namespace
