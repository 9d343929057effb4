// vmaildir-postfix's socketmap framing: netstrings read whole or in small pieces give
// the same payloads and the same verdict; a request payload splits into a map and a
// key that are its own bytes; every reply is one netstring within Postfix's limit.
#include "fuzz.hpp"
#include "protocol.hpp"

#include <string>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::postfix;

namespace {

/// Every payload the reader yields for `chunks`, and whether it ended malformed.
std::pair<std::vector<std::string>, bool> read_all(const std::vector<std::string_view>& chunks) {
    return fuzz::read_all<NetstringReader>(chunks, NetstringReader::Status::malformed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    auto whole = read_all({in});
    // Byte by byte over the first 256 bytes, then in chunks of 1 to 97 bytes sized by the
    // input itself: every boundary is tried somewhere in the corpus at linear cost.
    std::vector<std::string_view> chunks;
    for (std::size_t i = 0; i < in.size();) {
        std::size_t n = i < 256 ? 1 : 1 + static_cast<unsigned char>(in[i]) % 97;
        chunks.push_back(in.substr(i, n));
        i += n;
    }
    auto split = read_all(chunks);
    fuzz::require(whole == split, "netstrings read whole and in pieces agree");

    for (const std::string& payload : whole.first) {
        fuzz::require(payload.size() <= max_request, "no payload over max_request");
        fuzz::require(netstring(payload).size() > payload.size(), "netstring frames");
        if (auto r = parse_socketmap_request(payload)) {
            fuzz::require(!r->map.empty(), "a request names a map");
            fuzz::require(std::string(r->map) + " " + std::string(r->key) == payload,
                          "map and key are the payload's own bytes");
        }
    }
    // Replies to whatever a lookup could answer with: one netstring, within the limit.
    std::string value(in);
    for (const auto& result : fuzz::lookup_outcomes(value)) {
        std::string reply = socketmap_reply(result);
        fuzz::require(reply.size() <= max_socketmap_reply, "a reply fits Postfix's limit");
        // Framed by length, not read back: NetstringReader holds requests to max_request,
        // and a reply may be longer (found by the long run: a harness mistake).
        fuzz::require(netstring(reply) == std::to_string(reply.size()) + ":" + reply + ",",
                      "a reply is one netstring");
        fuzz::require(reply.rfind("OK ", 0) == 0 || reply.rfind("TEMP ", 0) == 0 ||
                          reply == "NOTFOUND ",
                      "a reply is OK, TEMP or NOTFOUND");
    }
    std::string temp = socketmap_temp(value);
    fuzz::require(temp.size() <= max_socketmap_reply && temp.rfind("TEMP ", 0) == 0,
                  "TEMP replies fit");
    return 0;
}
