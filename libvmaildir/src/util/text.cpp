// ASCII string helpers (vmaildir/util/text.hpp).
#include "vmaildir/util/text.hpp"

#include <cstdio>

namespace vmaildir::util {

namespace {
char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
bool blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
} // namespace

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = lower(c);
    return out;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lower(a[i]) != lower(b[i]))
            return false;
    return true;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

std::vector<std::string> split_list(std::string_view s, std::string_view separators) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find_first_of(separators, start);
        if (end == std::string_view::npos)
            end = s.size();
        if (end > start)
            out.emplace_back(s.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool parse_bool(std::string_view s, bool& ok) noexcept {
    ok = true;
    s = trim(s);
    for (std::string_view t : {"true", "yes", "on", "1"})
        if (iequals(s, t))
            return true;
    for (std::string_view f : {"false", "no", "off", "0"})
        if (iequals(s, f))
            return false;
    ok = false;
    return false;
}

std::string printable(std::string_view s, std::size_t limit) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (out.size() >= limit) {
            out += "...";
            break;
        }
        auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

} // namespace vmaildir::util
