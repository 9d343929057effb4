// Base64 by hand rather than through OpenSSL's EVP codec: twenty lines, and the
// core (LDIF parsing) then needs no cryptographic library, so its parsers can be
// tested and fuzzed without one (docs/decisions.md).
#include "vmaildir/util/base64.hpp"

#include <algorithm>
#include <array>

namespace vmaildir::util {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Each byte's digit value: 0-63, `blank` for what decoding skips, `bad` for the rest.  One
// lookup per character: SASL responses and LDIF values are decoded on every login and load.
constexpr signed char blank = -2, bad = -1;
constexpr auto digit_table = [] {
    std::array<signed char, 256> t{};
    t.fill(bad);
    for (int i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<signed char>(i);
    for (unsigned char c : {' ', '\t', '\r', '\n'})
        t[c] = blank;
    return t;
}();

} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '=');
    std::size_t o = 0;
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        unsigned long group = static_cast<unsigned long>(static_cast<unsigned char>(bytes[i]))
                              << 16;
        if (n > 1)
            group |= static_cast<unsigned long>(static_cast<unsigned char>(bytes[i + 1])) << 8;
        if (n > 2)
            group |= static_cast<unsigned char>(bytes[i + 2]);
        out[o] = alphabet[(group >> 18) & 0x3f];
        out[o + 1] = alphabet[(group >> 12) & 0x3f];
        if (n > 1)
            out[o + 2] = alphabet[(group >> 6) & 0x3f];
        if (n > 2)
            out[o + 3] = alphabet[group & 0x3f];
        o += 4; // the '=' of a short last group are already there
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    // The digits without blanks, then the padding rules on them.
    std::string digits(text.size(), '\0');
    std::size_t n = 0;
    for (unsigned char c : text)
        if (digit_table[c] != blank)
            digits[n++] = static_cast<char>(c);
    if (n % 4 != 0)
        return std::nullopt;
    std::size_t pad = 0;
    if (n > 0 && digits[n - 1] == '=')
        pad = digits[n - 2] == '=' ? 2 : 1;
    std::string out(n / 4 * 3, '\0');
    for (std::size_t i = 0, o = 0; i < n; i += 4, o += 3) {
        unsigned long group = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            // Padding stands for zero bits, and only at the very end.
            const signed char v =
                i + k >= n - pad ? 0 : digit_table[static_cast<unsigned char>(digits[i + k])];
            if (v < 0)
                return std::nullopt;
            group = group << 6 | static_cast<unsigned long>(v);
        }
        out[o] = static_cast<char>((group >> 16) & 0xff);
        out[o + 1] = static_cast<char>((group >> 8) & 0xff);
        out[o + 2] = static_cast<char>(group & 0xff);
    }
    out.resize(out.size() - pad);
    return out;
}

} // namespace vmaildir::util
