// What /proc says about a process the test started: its CPU time, resident memory and open
// file descriptors, for the load and fault drills (tests/integration/*_test.cpp).  Linux only.
#pragma once

#include "support/slapd.hpp"

#include <cstdint>
#include <dirent.h>
#include <sstream>
#include <string>
#include <sys/types.h>

namespace vmaildir::test {

/// User plus system CPU time of `pid` in clock ticks (sysconf(_SC_CLK_TCK), 100 on Linux),
/// all its threads together; -1 when it is gone.
inline std::int64_t cpu_ticks(pid_t pid) {
    std::string stat = read_file("/proc/" + std::to_string(pid) + "/stat");
    auto paren = stat.rfind(')'); // the command name may contain spaces and parentheses
    if (paren == std::string::npos)
        return -1;
    // After ") ": state (field 3) ... utime is field 14, stime field 15.
    std::istringstream in(stat.substr(paren + 2));
    std::string field;
    std::int64_t utime = -1, stime = -1;
    for (int i = 3; i <= 15 && in >> field; ++i) {
        if (i == 14)
            utime = std::stoll(field);
        if (i == 15)
            stime = std::stoll(field);
    }
    return utime < 0 || stime < 0 ? -1 : utime + stime;
}

/// The resident set size of `pid` in kB (VmRSS in /proc/PID/status); -1 when it is gone.
inline long rss_kb(pid_t pid) {
    std::istringstream in(read_file("/proc/" + std::to_string(pid) + "/status"));
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::stol(line.substr(6));
    return -1;
}

/// How many file descriptors `pid` has open (entries of /proc/PID/fd); -1 when it is gone.
inline int open_fds(pid_t pid) {
    DIR* dir = opendir(("/proc/" + std::to_string(pid) + "/fd").c_str());
    if (!dir)
        return -1;
    int n = 0;
    while (dirent* e = readdir(dir))
        n += e->d_name[0] != '.';
    closedir(dir);
    return n;
}

} // namespace vmaildir::test
