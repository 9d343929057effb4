// Password files (vmaildir/util/secret_file.hpp).
#include "vmaildir/util/secret_file.hpp"

#include <fstream>

namespace vmaildir::util {

std::optional<std::string> read_secret_file(const std::string& path, std::string& problem) {
    std::ifstream in(path);
    if (!in) {
        problem = "cannot read '" + path + "'";
        return std::nullopt;
    }
    std::string secret;
    std::getline(in, secret);
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == '\n'))
        secret.pop_back();
    if (secret.empty()) {
        problem = "'" + path + "' is empty";
        return std::nullopt;
    }
    return secret;
}

} // namespace vmaildir::util
