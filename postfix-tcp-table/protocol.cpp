// The socketmap and tcp_table wire protocols (protocol.hpp states them in full).
#include "protocol.hpp"

#include <charconv>
#include <cstdio>

#include "vmaildir/util/text.hpp"

namespace vmaildir::postfix {

namespace {

/// One line of text for a reply: CR, LF and NUL become spaces, at most `limit` bytes.
std::string one_line(std::string_view text, std::size_t limit) {
    std::string out;
    for (char c : text.substr(0, limit))
        out += (c == '\r' || c == '\n' || c == '\0') ? ' ' : c;
    return out;
}

std::string join(const std::vector<std::string>& values) {
    std::string out;
    for (const std::string& v : values) {
        if (v.empty())
            continue;
        if (!out.empty())
            out += ',';
        out += v;
    }
    return out;
}

} // namespace

NetstringReader::Status NetstringReader::next(std::string& payload) {
    // Only digits may precede the colon, and not many of them.  The digit limit applies
    // whether or not the colon has arrived yet, so that the outcome never depends on how the
    // bytes were split into reads (leading zeros are tolerated, as Postfix's reader does).
    constexpr std::size_t max_length_digits = 9;
    // Payloads are taken from an offset, and the buffer is compacted only when it needs more:
    // erasing each payload from the front cost a copy of the rest of the read per request
    // (quadratic in a read of many pipelined requests).
    std::string_view rest = std::string_view(buffer_).substr(start_);
    auto need_more = [&] {
        buffer_.erase(0, start_);
        start_ = 0;
        return Status::need_more;
    };
    std::size_t colon = rest.find(':');
    if (colon == std::string_view::npos) {
        if (rest.find_first_not_of("0123456789") != std::string_view::npos ||
            rest.size() > max_length_digits)
            return Status::malformed;
        return need_more();
    }
    std::size_t length = 0;
    auto [end, ec] = std::from_chars(rest.data(), rest.data() + colon, length);
    if (colon == 0 || colon > max_length_digits || ec != std::errc() ||
        end != rest.data() + colon || length > max_request)
        return Status::malformed;
    if (rest.size() < colon + 1 + length + 1)
        return need_more();
    if (rest[colon + 1 + length] != ',')
        return Status::malformed;
    payload.assign(rest.substr(colon + 1, length));
    start_ += colon + 1 + length + 1;
    if (start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    }
    return Status::complete;
}

std::string netstring(std::string_view payload) {
    std::string out = std::to_string(payload.size());
    out += ':';
    out += payload;
    out += ',';
    return out;
}

std::optional<SocketmapRequest> parse_socketmap_request(std::string_view payload) {
    std::size_t space = payload.find(' ');
    if (space == std::string_view::npos || space == 0)
        return std::nullopt;
    return SocketmapRequest{payload.substr(0, space), payload.substr(space + 1)};
}

std::string socketmap_temp(std::string_view reason) {
    return "TEMP " + one_line(reason, 1000);
}

std::string socketmap_reply(const Result<std::vector<std::string>>& result) {
    switch (result.outcome()) {
    case Outcome::found: {
        std::string data = join(result.value());
        if (data.empty())
            return socketmap_temp("empty answer from the directory");
        if (data.find('\0') != std::string::npos) // Postfix would cut the value there
            return socketmap_temp("answer contains a NUL byte");
        if (data.size() + 3 > max_socketmap_reply)
            return socketmap_temp("answer longer than the socketmap limit");
        return "OK " + data;
    }
    case Outcome::not_found:
        return "NOTFOUND ";
    case Outcome::temp_fail:
        return socketmap_temp(result.reason());
    }
    return socketmap_temp("no result");
}

std::optional<std::string> tcp_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '%') {
            out += text[i];
            continue;
        }
        if (i + 2 >= text.size())
            return std::nullopt;
        int hi = util::hex_value(text[i + 1]), lo = util::hex_value(text[i + 2]);
        if (hi < 0 || lo < 0)
            return std::nullopt;
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
    }
    return out;
}

std::string tcp_encode(std::string_view bytes) {
    std::string out;
    for (char ch : bytes) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '%' || c <= 0x20 || c >= 0x7f) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out;
}

std::optional<std::string> parse_tcp_request(std::string_view line) {
    if (!line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line.size() < 4 || line.substr(0, 4) != "get ")
        return std::nullopt;
    return tcp_decode(line.substr(4));
}

std::string tcp_temp(std::string_view reason) {
    std::string text = tcp_encode(one_line(reason, 1000));
    return "400 " + text.substr(0, max_tcp_reply - 5) + "\n";
}

std::string tcp_reply(const Result<std::vector<std::string>>& result) {
    switch (result.outcome()) {
    case Outcome::found: {
        std::string joined = join(result.value());
        if (joined.find('\0') != std::string::npos) // Postfix would cut the value there
            return tcp_temp("answer contains a NUL byte");
        std::string data = tcp_encode(joined);
        if (data.empty())
            return tcp_temp("empty answer from the directory");
        if (data.size() + 5 > max_tcp_reply)
            return tcp_temp("answer longer than the tcp_table limit");
        return "200 " + data + "\n";
    }
    case Outcome::not_found:
        return "500 " + tcp_encode(one_line(result.reason().empty() ? "not found" : result.reason(),
                                            1000))
                            .substr(0, max_tcp_reply - 5) +
               "\n";
    case Outcome::temp_fail:
        return tcp_temp(result.reason());
    }
    return tcp_temp("no result");
}

} // namespace vmaildir::postfix
