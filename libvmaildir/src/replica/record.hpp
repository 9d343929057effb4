// How the replica stores an entry: one record per entry (its DN in comparison
// form, the DN as the server spelt it, every attribute), and the index keys
// that find it by an attribute value.  Pure functions, no LMDB: the store
// (store.cpp) and its reader (store_reader.cpp) share them.
//
// Record: u32 length-prefixed strings, little-endian:
//   normalised DN, DN, attribute count, then per attribute its name, value
//   count and values.
// Index key: lower-case attribute name, NUL, lower-case value, cut at
// max_index_key bytes (LMDB's key limit is 511).  A cut key finds a superset;
// the reader checks every candidate against the whole filter anyway.
#pragma once

#include "vmaildir/directory/entry.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vmaildir::replica {

inline constexpr std::size_t max_index_key = 480;

struct StoredEntry {
    std::string normalised_dn;
    Entry entry;
};

std::string encode_record(std::string_view normalised_dn, const Entry& entry);
/// nullopt when the bytes are not a record (a damaged store).
std::optional<StoredEntry> decode_record(std::string_view bytes);

std::string index_key(std::string_view attribute, std::string_view value);
/// The index keys of an entry for the indexed attributes (each key once).
std::vector<std::string> index_keys(const Entry& entry, const std::vector<std::string>& indexed);

} // namespace vmaildir::replica
