// vmaildir-exim's readsocket protocol: a request splits into a map and a key with no
// newline or NUL; every reply is one line, and a defer reply says ":defer:".
#include "fuzz.hpp"
#include "protocol.hpp"
#include "vmaildir/resolve/maps.hpp"

#include <string>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::exim;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    if (auto r = parse_request(in)) {
        fuzz::require(!r->map.empty() && !r->key.empty(), "a request has a map and a key");
        for (const std::string* s : {&r->map, &r->key})
            fuzz::require(s->find('\n') == std::string::npos && s->find('\0') == std::string::npos,
                          "no newline or NUL in a map or key");
    }
    std::string value(in);
    std::string defer = defer_reply(value);
    fuzz::require(defer.rfind(":defer: ", 0) == 0 && defer.find('\n') == std::string::npos &&
                      defer.size() <= max_request,
                  "a defer reply is one line");
    for (MapName map : {MapName::alias, MapName::recipient, MapName::mailbox, MapName::sender,
                        MapName::domain, MapName::quota}) {
        std::string reply = exim::reply(map, Result<std::vector<std::string>>::found({value}));
        fuzz::require(reply.find('\n') == std::string::npos, "a reply holds no newline");
    }
    return 0;
}
