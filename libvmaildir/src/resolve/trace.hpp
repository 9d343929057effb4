// Writing a resolution's steps down, for `vmaildir explain` and `vmaildir auth -v`:
// every lookup takes an optional Trace and notes what it saw.
#pragma once

#include "vmaildir/resolve/resolution.hpp"

#include <string>

namespace vmaildir {

/// Appends `line` to the trace, if the caller asked for one.
inline void note(Trace* trace, std::string line) {
    if (trace)
        trace->push_back(std::move(line));
}

} // namespace vmaildir
