// The configuration reference, from the key tables (keys.hpp).
#include "config/keys.hpp"

namespace vmaildir {

void write_reference(std::ostream& out, const std::vector<KeyHelp>& keys) {
    for (const KeyHelp& k : keys) {
        out << k.name;
        if (k.default_text && *k.default_text)
            out << " (default: " << k.default_text << ")";
        else if (!k.default_text)
            out << " (required)";
        out << "\n    " << k.help << "\n";
    }
}

} // namespace vmaildir
