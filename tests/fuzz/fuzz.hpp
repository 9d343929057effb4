// What every libFuzzer harness shares: the input as a string_view, and a property
// check that aborts (a finding) with a message instead of a silent wrong answer.
#pragma once

#include "vmaildir/directory/result.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vmaildir::fuzz {

inline std::string_view text(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

/// A broken property is a finding like a crash: libFuzzer keeps the input.
inline void require(bool ok, const char* property) {
    if (!ok) {
        std::fprintf(stderr, "property broken: %s\n", property);
        std::abort();
    }
}

/// Every outcome a lookup could answer with, carrying `value`: what a reply encoder must
/// turn into a valid reply.
inline std::vector<Result<std::vector<std::string>>> lookup_outcomes(const std::string& value) {
    using R = Result<std::vector<std::string>>;
    return {R::found({value}), R::found({value, value}), R::temp_fail(value), R::not_found(value)};
}

/// Every item a protocol reader (NetstringReader, util::LineReader: feed(), next() giving a
/// Status with need_more) yields for `chunks` fed in turn, and whether it ended at `stop`, the
/// status that ends a connection.  For the "whole and split input agree" properties.
template <class Reader>
std::pair<std::vector<std::string>, bool>
read_all(Reader reader, const std::vector<std::string_view>& chunks, typename Reader::Status stop) {
    std::vector<std::string> out;
    std::string item;
    for (std::string_view chunk : chunks) {
        reader.feed(chunk);
        for (;;) {
            auto status = reader.next(item);
            if (status == stop)
                return {out, true};
            if (status == Reader::Status::need_more)
                break;
            out.push_back(item);
        }
    }
    return {out, false};
}

/// The same for a reader made with no arguments.
template <class Reader>
std::pair<std::vector<std::string>, bool> read_all(const std::vector<std::string_view>& chunks,
                                                   typename Reader::Status stop) {
    return read_all(Reader{}, chunks, stop);
}

} // namespace vmaildir::fuzz
