#include "util/base64.hpp"

#include <openssl/evp.h>

#include <vector>

namespace vmaildir::util {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
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
    if (clean.empty())
        return std::string();
    // EVP_DecodeBlock does not strip the zero bytes that padding stands for: count the '='.
    std::size_t pad = 0;
    if (clean.back() == '=')
        pad = clean[clean.size() - 2] == '=' ? 2 : 1;
    // EVP_DecodeBlock also takes '=' anywhere as a zero digit ("Z===", "Zg==Zm9v"): padding
    // may only end the text, so everything before it must be from the alphabet.
    for (std::size_t i = 0; i < clean.size() - pad; ++i) {
        char c = clean[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/'))
            return std::nullopt;
    }
    std::string out(clean.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(clean.data()),
                            static_cast<int>(clean.size()));
    if (n < 0 || static_cast<std::size_t>(n) < pad)
        return std::nullopt;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

} // namespace vmaildir::util
