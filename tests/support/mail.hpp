// What every MTA test does the same way whatever the host: send with swaks, and
// look into the Maildirs under a base directory.
#pragma once

#include "support/slapd.hpp"

#include <cstddef>
#include <filesystem>
#include <string>

namespace vmaildir::test {

struct Swaks {
    int status = -1;
    std::string output;
    /// Whether the transcript has a server reply line starting with `code` (e.g. "550 5.1.1").
    bool replied(const std::string& code) const {
        return output.find("<** " + code) != std::string::npos ||
               output.find("<-  " + code) != std::string::npos;
    }
};

/// swaks against 127.0.0.1:`port`; `args` are appended (already shell-quoted where needed).
/// The transcript is kept in `transcript` (a file) and returned.
inline Swaks swaks(int port, const std::string& args, const std::string& transcript) {
    Swaks s;
    s.status = status_of("swaks --server 127.0.0.1:" + std::to_string(port) + " --timeout 30 " +
                             args + " > " + shell_quote(transcript) + " 2>&1",
                         true);
    s.output = read_file(transcript);
    return s;
}

/// The Maildirs under one base directory (paths relative to it, as the mailbox map answers).
class Maildirs {
public:
    explicit Maildirs(std::string base) : base_(std::move(base)) {}
    std::string path(const std::string& relative) const { return base_ + "/" + relative; }

    /// Messages delivered to a Maildir, new and cur.
    std::size_t messages(const std::string& relative) const {
        std::size_t n = 0;
        for (const char* sub : {"/new", "/cur"}) {
            std::string d = path(relative) + sub;
            if (std::filesystem::exists(d))
                for (const auto& e : std::filesystem::directory_iterator(d))
                    n += e.is_regular_file();
        }
        return n;
    }
    /// Whether any message in a Maildir contains `text`.
    bool contains(const std::string& relative, const std::string& text) const {
        for (const char* sub : {"/new", "/cur"}) {
            std::string d = path(relative) + sub;
            if (std::filesystem::exists(d))
                for (const auto& e : std::filesystem::directory_iterator(d))
                    if (read_file(e.path().string()).find(text) != std::string::npos)
                        return true;
        }
        return false;
    }

private:
    std::string base_;
};

} // namespace vmaildir::test
