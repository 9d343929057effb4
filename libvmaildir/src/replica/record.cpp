// Replica records and index keys (record.hpp).
#include "replica/record.hpp"

#include "vmaildir/util/text.hpp"

#include <algorithm>
#include <cstdint>

namespace vmaildir::replica {

namespace {

void put_u32(std::string& out, std::size_t n) {
    auto v = static_cast<std::uint32_t>(n);
    const char bytes[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
                           static_cast<char>((v >> 16) & 0xff), static_cast<char>(v >> 24)};
    out.append(bytes, 4);
}

void put_string(std::string& out, std::string_view s) {
    put_u32(out, s.size());
    out.append(s);
}

struct Cursor {
    std::string_view rest;
    bool ok = true;

    std::uint32_t u32() {
        if (rest.size() < 4) {
            ok = false;
            return 0;
        }
        std::uint32_t v = 0;
        for (int i = 0; i < 4; ++i)
            v |= static_cast<std::uint32_t>(static_cast<unsigned char>(rest[i])) << (8 * i);
        rest.remove_prefix(4);
        return v;
    }
    std::string_view string() {
        std::uint32_t n = u32();
        if (!ok || rest.size() < n) {
            ok = false;
            return {};
        }
        std::string_view s = rest.substr(0, n);
        rest.remove_prefix(n);
        return s;
    }
};

} // namespace

std::string encode_record(std::string_view normalised_dn, const Entry& entry) {
    std::size_t size = 12 + normalised_dn.size() + entry.dn().size();
    for (const Entry::Attribute& a : entry.attributes()) {
        size += 8 + a.name.size();
        for (const std::string& v : a.values)
            size += 4 + v.size();
    }
    std::string out;
    out.reserve(size);
    put_string(out, normalised_dn);
    put_string(out, entry.dn());
    put_u32(out, entry.attributes().size());
    for (const Entry::Attribute& a : entry.attributes()) {
        put_string(out, a.name);
        put_u32(out, a.values.size());
        for (const std::string& v : a.values)
            put_string(out, v);
    }
    return out;
}

std::optional<StoredEntry> decode_record(std::string_view bytes) {
    Cursor c{bytes};
    StoredEntry out;
    out.normalised_dn = c.string();
    out.entry.set_dn(std::string(c.string()));
    std::uint32_t attributes = c.u32();
    // Each attribute takes at least 8 bytes: a count beyond that is damage, not a huge entry.
    if (!c.ok || attributes > c.rest.size() / 8)
        return std::nullopt;
    for (std::uint32_t i = 0; i < attributes && c.ok; ++i) {
        std::string_view name = c.string();
        std::uint32_t n = c.u32();
        if (!c.ok || n > c.rest.size() / 4)
            return std::nullopt;
        std::vector<std::string> values;
        values.reserve(n);
        for (std::uint32_t j = 0; j < n && c.ok; ++j)
            values.emplace_back(c.string());
        if (c.ok && !name.empty() && !values.empty())
            out.entry.replace(name, std::move(values));
    }
    if (!c.ok || !c.rest.empty())
        return std::nullopt;
    return out;
}

std::string index_key(std::string_view attribute, std::string_view value) {
    std::string key = util::ascii_lower(attribute);
    key.push_back('\0');
    key += util::ascii_lower(value);
    if (key.size() > max_index_key)
        key.resize(max_index_key);
    return key;
}

std::vector<std::string> index_keys(const Entry& entry, const std::vector<std::string>& indexed) {
    std::vector<std::string> keys;
    for (const std::string& attribute : indexed)
        for (const std::string& v : entry.values(attribute))
            keys.push_back(index_key(attribute, v));
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    return keys;
}

} // namespace vmaildir::replica
