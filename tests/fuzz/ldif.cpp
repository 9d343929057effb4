// LDIF: any text either parses into entries with DNs or is refused with an
// LdifError naming the source; nothing else escapes the parser.
#include "vmaildir/directory/ldif.hpp"

#include "fuzz.hpp"
#include "vmaildir/directory/entry.hpp"

#include <sstream>

using namespace vmaildir;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in{std::string(fuzz::text(data, size))};
    try {
        for (const Entry& e : parse_ldif(in, "fuzz.ldif"))
            fuzz::require(!e.dn().empty(), "every entry has a DN");
    } catch (const LdifError& e) {
        fuzz::require(std::string(e.what()).rfind("fuzz.ldif", 0) == 0,
                      "a refusal names the source");
    }
    return 0;
}
