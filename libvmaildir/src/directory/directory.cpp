// Deadlines of directory operations (vmaildir/directory/directory.hpp).
#include "vmaildir/directory/directory.hpp"

namespace vmaildir {

std::chrono::milliseconds Deadline::remaining() const {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

} // namespace vmaildir
