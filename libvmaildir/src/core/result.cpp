#include "vmaildir/directory.hpp"
#include "vmaildir/result.hpp"

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

std::chrono::milliseconds Deadline::remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

} // namespace vmaildir
