// vmaildir.conf: any text either loads or is refused with a ConfigError naming
// the file; nothing else escapes the parser.
#include "vmaildir/config/config.hpp"

#include "fuzz.hpp"
#include "vmaildir/service/config_file.hpp"

#include <sstream>

using namespace vmaildir;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::istringstream in{std::string(fuzz::text(data, size))};
    try {
        // Relative paths point below a directory that does not exist: no file is read.
        Config c = parse_config(in, "fuzz.conf", "/nonexistent-fuzz-dir");
        fuzz::require(!c.search_base.empty(), "a loaded configuration has a search_base");
    } catch (const ConfigError& e) {
        fuzz::require(std::string(e.what()).rfind("fuzz.conf", 0) == 0, "a refusal names the file");
    }
    return 0;
}
