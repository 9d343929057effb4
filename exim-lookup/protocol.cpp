// vmaildir-exim's readsocket protocol (protocol.hpp).
#include "protocol.hpp"

#include "vmaildir/model/quota.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir::exim {

namespace {

/// Replies stay well inside what an Exim expansion is happy to carry.
constexpr std::size_t max_reason = 1000;

bool has_control(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x20 || c == 0x7f)
            return true;
    return false;
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

/// A local part Exim's redirect parser takes literally without quotes: RFC 5322 atext and
/// dots, minus what it reads specially at the start of an item ("|pipe", "/file",
/// "#comment", "\\no-alias") or inside one.
bool plain_local_part(std::string_view local) {
    if (local.empty() || local.front() == '.' || local.back() == '.' ||
        local.find("..") != std::string_view::npos)
        return false;
    for (char c : local) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && std::string_view("!$%&'*+-=?^_`{}~.").find(c) == std::string_view::npos)
            return false;
    }
    return true;
}

/// A domain as a host name (letters, digits, '-', '.', '_'), or an address literal.
bool plain_domain(std::string_view domain) {
    if (domain.empty())
        return false;
    if (domain.front() == '[')
        return domain.back() == ']' &&
               domain.find_first_not_of("0123456789abcdefABCDEF.:[]Iv6") == std::string_view::npos;
    for (char c : domain) {
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && c != '-' && c != '.' && c != '_')
            return false;
    }
    return true;
}

std::string quoted(std::string_view local) {
    std::string q = "\"";
    for (char c : local) {
        if (c == '"' || c == '\\')
            q += '\\';
        q += c;
    }
    return q + '"';
}

} // namespace

std::optional<Request> parse_request(std::string_view text) {
    if (!text.empty() && text.back() == '\n')
        text.remove_suffix(1);
    if (!text.empty() && text.back() == '\r')
        text.remove_suffix(1);
    if (text.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos)
        return std::nullopt;
    while (!text.empty() && is_blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && is_blank(text.back()))
        text.remove_suffix(1);
    std::size_t space = text.find_first_of(" \t");
    if (space == 0 || space == std::string_view::npos)
        return std::nullopt;
    std::string_view key = text.substr(space + 1);
    while (!key.empty() && is_blank(key.front()))
        key.remove_prefix(1);
    if (key.empty())
        return std::nullopt;
    return Request{std::string(text.substr(0, space)), std::string(key)};
}

std::optional<MapName> request_map(std::string_view name) {
    auto map = parse_map_name(name);
    if (map == MapName::alias)
        return MapName::recipient;
    return map;
}

bool reads_as_protocol(std::string_view value) {
    return value.empty() || value == not_found_reply || value.starts_with(":defer:");
}

std::string defer_reply(std::string_view reason) {
    return ":defer: " + util::printable(reason, max_reason);
}

std::optional<std::string> redirect_list(const std::vector<std::string>& addresses) {
    std::string list;
    for (const std::string& address : addresses) {
        if (address.empty() || has_control(address))
            return std::nullopt;
        std::size_t at = address.rfind('@');
        std::string_view local = std::string_view(address).substr(0, at);
        std::string item = plain_local_part(local) ? std::string(local) : quoted(local);
        if (at != std::string::npos) {
            std::string_view domain = std::string_view(address).substr(at + 1);
            if (!plain_domain(domain))
                return std::nullopt;
            item += '@';
            item += domain;
        }
        list += (list.empty() ? "" : ", ") + item;
    }
    return list;
}

std::optional<std::string> colon_list(const std::vector<std::string>& items) {
    std::string list;
    for (const std::string& item : items) {
        // An empty item would end the list early; a leading "<" would set a separator.
        if (item.empty() || has_control(item) || (list.empty() && item.front() == '<'))
            return std::nullopt;
        if (!list.empty())
            list += " : ";
        for (char c : item) {
            list += c;
            if (c == ':')
                list += ':';
        }
    }
    return list;
}

bool safe_mailbox_path(std::string_view path) {
    if (path.empty() || has_control(path))
        return false;
    for (const std::string& segment : util::split_list(path, "/"))
        if (segment == "..")
            return false;
    return true;
}

std::string reply(MapName map, const Result<std::vector<std::string>>& result) {
    if (result.is_not_found())
        return std::string(not_found_reply);
    if (!result.is_found())
        return defer_reply(result.reason());
    const std::vector<std::string>& values = result.value();
    const std::string& first = values.front();
    switch (map) {
    case MapName::alias:
    case MapName::recipient:
        if (auto list = redirect_list(values))
            return *list;
        return defer_reply("a destination cannot be said safely as an Exim redirect item");
    case MapName::sender:
        if (auto list = colon_list(values))
            return *list;
        return defer_reply("a login cannot be said safely in an Exim list");
    case MapName::mailbox:
        if (reads_as_protocol(first))
            return defer_reply("a value that reads as a reply word: " + first);
        if (safe_mailbox_path(first))
            return first;
        return defer_reply("unsafe mailbox path " + first +
                           " (a '..' segment or a control character)");
    case MapName::quota:
        if (auto bytes = quota_bytes(first))
            return std::to_string(*bytes);
        return defer_reply("malformed quota " + first);
    case MapName::domain:
    case MapName::transport:
    case MapName::uid:
    case MapName::gid:
        if (has_control(first))
            return defer_reply("value with a control character: " + first);
        if (reads_as_protocol(first))
            return defer_reply("a value that reads as a reply word: " + first);
        return first;
    }
    return defer_reply("unknown map");
}

} // namespace vmaildir::exim
