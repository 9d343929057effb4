// Stored quotas to byte limits (vmaildir/model/quota.hpp).
#include "vmaildir/model/quota.hpp"

#include "vmaildir/util/text.hpp"

#include <limits>

namespace vmaildir {

namespace {

constexpr std::uint64_t max_value = std::numeric_limits<std::uint64_t>::max();

/// Decimal digits, then nothing else; nothing on overflow or no digits.
std::optional<std::uint64_t> number(std::string_view digits) {
    if (digits.empty())
        return std::nullopt;
    std::uint64_t n = 0;
    for (char c : digits) {
        if (c < '0' || c > '9' || n > (max_value - 9) / 10)
            return std::nullopt;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return n;
}

std::optional<std::uint64_t> scaled(std::uint64_t n, unsigned shift) {
    if (shift && n > (max_value >> shift))
        return std::nullopt;
    return n << shift;
}

} // namespace

std::optional<std::uint64_t> quota_bytes(std::string_view stored) {
    std::string_view text = util::trim(stored);
    if (text.empty())
        return std::nullopt;
    // Courier maildirsize: comma-separated NNNS / NNNC parts, each at most once.
    if (text.find(',') != std::string_view::npos || text.back() == 'S' || text.back() == 'C') {
        std::optional<std::uint64_t> size;
        bool count = false;
        for (const std::string& part : util::split_list(text, ",")) {
            std::string_view p = util::trim(part);
            if (p.size() < 2)
                return std::nullopt;
            auto n = number(p.substr(0, p.size() - 1));
            if (!n)
                return std::nullopt;
            if (p.back() == 'S' && !size)
                size = n;
            else if (p.back() == 'C' && !count)
                count = true;
            else
                return std::nullopt;
        }
        return size.value_or(0);
    }
    unsigned shift = 0;
    switch (util::ascii_lower(text.substr(text.size() - 1))[0]) {
    case 'k':
        shift = 10;
        break;
    case 'm':
        shift = 20;
        break;
    case 'g':
        shift = 30;
        break;
    case 't':
        shift = 40;
        break;
    default:
        break;
    }
    auto n = number(shift ? text.substr(0, text.size() - 1) : text);
    if (!n)
        return std::nullopt;
    return scaled(*n, shift);
}

} // namespace vmaildir
