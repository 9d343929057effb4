// The map names adapters expose (vmaildir/resolve/maps.hpp).
#include "vmaildir/resolve/maps.hpp"

namespace vmaildir {

namespace {

struct MapInfo {
    MapName map;
    const char* name;
};

constexpr MapInfo map_table[] = {
    {MapName::domain, "domain"},
    {MapName::mailbox, "mailbox"},
    {MapName::alias, "alias"},
    {MapName::recipient, "recipient"},
    {MapName::transport, "transport"},
    {MapName::uid, "uid"},
    {MapName::gid, "gid"},
    {MapName::quota, "quota"},
    {MapName::sender, "sender"},
};

} // namespace

std::optional<MapName> parse_map_name(std::string_view name) {
    for (const MapInfo& m : map_table)
        if (name == m.name)
            return m.map;
    return std::nullopt;
}

const char* to_string(MapName map) noexcept {
    for (const MapInfo& m : map_table)
        if (m.map == map)
            return m.name;
    return "unknown";
}

std::vector<std::string> map_names() {
    std::vector<std::string> out;
    for (const MapInfo& m : map_table)
        out.emplace_back(m.name);
    return out;
}

} // namespace vmaildir
