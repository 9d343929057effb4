// The lookup tables adapters expose (vmaildir/resolve/maps.hpp): what each map
// answers for a key, over the resolver, with the final answers cached by map and
// key as received — a hit costs one hash lookup, no parsing.
#pragma once

#include "resolve/answer_cache.hpp"
#include "resolve/resolver.hpp"
#include "vmaildir/resolve/maps.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

/// What the maps need beyond the directory.
struct MapSettings {
    std::string default_transport = "virtual:";
    std::optional<unsigned long> static_uid;
    std::optional<unsigned long> static_gid;
};

/// Thread-safe.
class MapAnswers {
public:
    MapAnswers(Resolver& resolver, MapSettings settings, const CacheSettings& cache, Logger& log);

    /// One map lookup: values in order, never empty when found.
    Result<std::vector<std::string>> lookup(MapName map, std::string_view key);

private:
    Result<std::vector<std::string>> uncached(MapName map, std::string_view key);

    Resolver& resolver_;
    MapSettings settings_;
    Logger& log_;
    AnswerCache<std::vector<std::string>> answers_;
};

} // namespace vmaildir
