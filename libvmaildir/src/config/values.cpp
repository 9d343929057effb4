// Conversions of configuration values (values.hpp).
#include "config/values.hpp"

#include "vmaildir/util/secret_file.hpp"
#include "vmaildir/util/text.hpp"

#include <charconv>
#include <string_view>

namespace vmaildir {

bool to_bool(const std::string& v) {
    bool ok = false;
    bool b = util::parse_bool(v, ok);
    if (!ok)
        throw BadValue{"expected yes or no, got '" + util::printable(v) + "'"};
    return b;
}

unsigned long to_number(const std::string& v, unsigned long min, unsigned long max) {
    std::string_view s = util::trim(v);
    unsigned long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        throw BadValue{"expected a number, got '" + util::printable(v) + "'"};
    if (n < min || n > max)
        throw BadValue{"expected a number from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got " + std::to_string(n)};
    return n;
}

std::chrono::milliseconds to_duration(const std::string& v) {
    std::string_view s = util::trim(v);
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9')
        ++digits;
    std::string_view unit = s.substr(digits);
    long long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + digits, n);
    if (digits == 0 || ec != std::errc() || n > 10'000'000)
        throw BadValue{"expected a time such as 10s, 500ms, 2m, got '" + util::printable(v) + "'"};
    long long factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1000;
    else if (unit == "ms")
        factor = 1;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else if (unit == "d")
        factor = 86'400'000;
    else
        throw BadValue{"unknown time unit '" + util::printable(unit) + "' (use ms, s, m, h or d)"};
    // Bound the product, not just the number: steady_clock counts nanoseconds in 64 bits, so
    // "10000000d" would overflow `now() + timeout` (about 292 years at most).
    constexpr long long max_ms = 3650LL * 86'400'000;
    if (n * factor > max_ms)
        throw BadValue{"expected a time of at most 3650d, got '" + util::printable(v) + "'"};
    return std::chrono::milliseconds(n * factor);
}

std::string read_secret_file(const std::string& path) {
    std::string problem;
    auto secret = util::read_secret_file(path, problem);
    if (!secret)
        throw BadValue{problem};
    return *secret;
}

} // namespace vmaildir
