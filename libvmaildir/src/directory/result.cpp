// Printable names of the three outcomes (vmaildir/directory/result.hpp).
#include "vmaildir/directory/result.hpp"

namespace vmaildir {

const char* to_string(Outcome outcome) noexcept {
    switch (outcome) {
    case Outcome::found:
        return "found";
    case Outcome::not_found:
        return "not found";
    case Outcome::temp_fail:
        return "temporary failure";
    }
    return "temporary failure";
}

} // namespace vmaildir
