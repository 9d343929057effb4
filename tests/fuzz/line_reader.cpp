// util::LineReader, the framing of the tcp_table and Dovecot-auth servers, against a model:
// the first two bytes of the input choose the limit (1 to 4096 bytes), the rest is the stream.
// Properties: read whole, byte by byte (the first 512 bytes) and in pieces sized by the input,
// the reader yields the model's lines and the model's verdict on an over-long line (the limit
// holds however the bytes arrive); no line holds an LF or is over the limit; what stays
// buffered is what follows the last line.
#include "vmaildir/util/line_reader.hpp"

#include "fuzz.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace fuzz = vmaildir::fuzz;
using vmaildir::util::LineReader;

namespace {

struct Framed {
    std::vector<std::string> lines;
    bool too_long = false;
    std::size_t buffered = 0; ///< when not too long
    bool operator==(const Framed&) const = default;
};

Framed model(std::string_view stream, std::size_t max) {
    Framed out;
    for (std::size_t pos = 0;;) {
        std::size_t nl = stream.find('\n', pos);
        if (nl == std::string_view::npos) {
            out.too_long = stream.size() - pos > max;
            out.buffered = out.too_long ? 0 : stream.size() - pos;
            return out;
        }
        if (nl - pos > max) {
            out.too_long = true;
            return out;
        }
        out.lines.emplace_back(stream.substr(pos, nl - pos));
        pos = nl + 1;
    }
}

Framed read(const std::vector<std::string_view>& chunks, std::size_t max) {
    LineReader reader(max);
    Framed out;
    std::string line;
    for (std::string_view chunk : chunks) {
        reader.feed(chunk);
        for (;;) {
            auto status = reader.next(line);
            if (status == LineReader::Status::too_long) {
                out.too_long = true;
                return out;
            }
            if (status == LineReader::Status::need_more)
                break;
            fuzz::require(line.size() <= max && line.find('\n') == std::string::npos,
                          "a line is within the limit, without LF");
            out.lines.push_back(line);
        }
    }
    out.buffered = reader.buffered();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 2)
        return 0;
    const std::size_t max = 1 + ((std::size_t{data[0]} << 8 | data[1]) % 4096);
    std::string_view stream = fuzz::text(data + 2, size - 2);
    const Framed expected = model(stream, max);

    fuzz::require(read({stream}, max) == expected, "whole input gives the model's lines");
    // Byte by byte over the first 512 bytes (past the limit when it is small), then the rest at
    // once: over 8 KB, it took 20 times as long for nothing more.
    std::vector<std::string_view> bytes, pieces;
    const std::size_t trickle = std::min<std::size_t>(stream.size(), 512);
    for (std::size_t i = 0; i < trickle; ++i)
        bytes.push_back(stream.substr(i, 1));
    bytes.push_back(stream.substr(trickle));
    fuzz::require(read(bytes, max) == expected, "byte by byte gives the model's lines");
    for (std::size_t i = 0; i < stream.size();) {
        std::size_t n = 1 + static_cast<unsigned char>(stream[i]) % 61;
        pieces.push_back(stream.substr(i, n));
        i += n;
    }
    fuzz::require(read(pieces, max) == expected, "pieces give the model's lines");
    return 0;
}
