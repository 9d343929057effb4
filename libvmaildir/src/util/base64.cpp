// Base64 by hand rather than through OpenSSL's EVP codec: twenty lines, and the
// core (LDIF parsing) then needs no cryptographic library, so its parsers can be
// tested and fuzzed without one (docs/decisions.md).
#include "vmaildir/util/base64.hpp"

#include <algorithm>

namespace vmaildir::util {

namespace {

constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int digit_value(char c) noexcept {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

} // namespace

std::string base64_encode(std::string_view bytes) {
    std::string out;
    out.reserve(4 * ((bytes.size() + 2) / 3));
    for (std::size_t i = 0; i < bytes.size(); i += 3) {
        const std::size_t n = std::min<std::size_t>(3, bytes.size() - i);
        unsigned long group = 0;
        for (std::size_t k = 0; k < 3; ++k)
            group = group << 8 | (k < n ? static_cast<unsigned char>(bytes[i + k]) : 0u);
        for (std::size_t k = 0; k < 4; ++k)
            out += k <= n ? alphabet[(group >> (18 - 6 * k)) & 0x3f] : '=';
    }
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    std::string clean;
    clean.reserve(text.size());
    for (char c : text)
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            clean += c;
    if (clean.size() % 4 != 0)
        return std::nullopt;
    std::size_t pad = 0;
    if (!clean.empty() && clean.back() == '=')
        pad = clean[clean.size() - 2] == '=' ? 2 : 1;
    std::string out;
    out.reserve(clean.size() / 4 * 3);
    unsigned long group = 0;
    for (std::size_t i = 0; i < clean.size(); ++i) {
        // Padding stands for zero bits, and only at the very end.
        int v = i >= clean.size() - pad ? 0 : digit_value(clean[i]);
        if (v < 0)
            return std::nullopt;
        group = group << 6 | static_cast<unsigned long>(v);
        if (i % 4 == 3) {
            for (int shift : {16, 8, 0})
                out += static_cast<char>((group >> shift) & 0xff);
            group = 0;
        }
    }
    out.resize(out.size() - pad);
    return out;
}

} // namespace vmaildir::util
