// Password files (vmaildir/util/secret_file.hpp).
#include "vmaildir/util/secret_file.hpp"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace vmaildir::util {

namespace {

std::string octal(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
    return text;
}

/// The layout that works for `reader`.
const char* layout(SecretReader reader) {
    if (reader == SecretReader::person)
        return "owner the user who runs the command, mode 0600";
    // A daemon drops root and rereads the file on SIGHUP.
    return "owner root, group of the daemons' user (vmaildir or nobody's nogroup), mode 0640";
}

} // namespace

std::optional<std::string> read_secret_file(const std::string& path, std::string& problem,
                                            SecretReader reader) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        int e = errno;
        problem = "cannot read '" + path + "': " + std::strerror(e);
        if (e == EACCES && reader == SecretReader::daemon)
            problem += std::string(" (a daemon rereads it as its own user on SIGHUP: ") +
                       layout(reader) + ")";
        else if (e == EACCES)
            problem += std::string(" (") + layout(reader) + ")";
        return std::nullopt;
    }
    struct stat st {};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        problem = "'" + path + "' is not a regular file" +
                  (S_ISDIR(st.st_mode) ? " (a directory)" : "");
        return std::nullopt;
    }
    if (st.st_mode & (S_IROTH | S_IWOTH)) {
        close(fd);
        problem = "'" + path + "' is open to every user (mode " + octal(st.st_mode) +
                  "), refused as ssh refuses such a key: chmod o-rw it; " + layout(reader);
        return std::nullopt;
    }
    // The first line; a password file is small, anything past 4 KB is not read.
    std::string content;
    char buf[4096];
    ssize_t n = 0;
    while (content.size() < sizeof buf && (n = read(fd, buf, sizeof buf)) > 0)
        content.append(buf, static_cast<std::size_t>(n));
    int e = errno;
    close(fd);
    if (n < 0) {
        problem = "cannot read '" + path + "': " + std::strerror(e);
        return std::nullopt;
    }
    std::string secret = content.substr(0, content.find('\n'));
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == '\n'))
        secret.pop_back();
    if (secret.empty()) {
        problem = "'" + path + "' is empty (the password is its first line)";
        return std::nullopt;
    }
    return secret;
}

} // namespace vmaildir::util
