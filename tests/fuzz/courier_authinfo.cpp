// The Courier module's request fields and what it hands back (courier-authmodule/authinfo.hpp).
// The input is an authdaemond AUTH request body, "service\nauthtype\nauthdata" (as
// module.cpp's auth_vmaildir() gets it), and also, NUL-separated (directory values reach a
// C struct authinfo), an account's address, name, home, mailbox, quota and ids.
// Properties: the `login` authtype's data splits into a non-empty user and a password with
// no newline, and "user\npassword\n" parses back to the same; no authinfo field holds a
// newline or a NUL (authdaemond writes each as one "NAME=value" line); the maildir is the
// absolute mailbox or one below the home directory; a Courier quota is empty or Courier's
// own "<n>S,<n>C" form, and converting it again keeps it.
#include "authinfo.hpp"
#include "fuzz.hpp"

#include <charconv>
#include <string>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::courier;

namespace {

std::vector<std::string_view> split(std::string_view s, char sep, std::size_t max) {
    std::vector<std::string_view> out;
    for (std::size_t start = 0;;) {
        std::size_t at = out.size() + 1 == max ? std::string_view::npos : s.find(sep, start);
        out.push_back(s.substr(start, at == std::string_view::npos ? at : at - start));
        if (at == std::string_view::npos)
            return out;
        start = at + 1;
    }
}

bool courier_form(std::string_view q) {
    for (std::string_view item : split(q, ',', std::string_view::npos)) {
        if (item.size() < 2 || (item.back() != 'S' && item.back() != 'C') ||
            item.substr(0, item.size() - 1).find_first_not_of("0123456789") !=
                std::string_view::npos)
            return false;
    }
    return true;
}

std::optional<unsigned long> number(std::string_view s) {
    unsigned long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        return std::nullopt;
    return n;
}

void check_field(const std::string& value) {
    fuzz::require(value.find('\n') == std::string::npos && value.find('\0') == std::string::npos,
                  "no authinfo field holds a newline or a NUL");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);

    // The request: only the `login` authtype is the module's.
    auto request = split(in, '\n', 3);
    std::string_view authdata = request.size() == 3 ? request[2] : in;
    if (auto login = parse_login(authdata)) {
        fuzz::require(!login->first.empty(), "a login has a user");
        fuzz::require(login->first.find('\n') == std::string::npos &&
                          login->second.find('\n') == std::string::npos,
                      "neither user nor password crosses a newline");
        fuzz::require(parse_login(login->first + "\n" + login->second + "\n") == login,
                      "a parsed login re-encodes to itself");
    }

    // What goes back: an account from directory values.
    auto f = split(in, '\0', 8);
    f.resize(8);
    Account a;
    a.address = std::string(f[0]);
    a.name = std::string(f[1]);
    a.home = std::string(f[2]);
    a.mailbox = std::string(f[3]);
    a.quota = std::string(f[4]);
    a.uid = number(f[5]);
    a.gid = number(f[6]);
    a.disable_imap = !f[7].empty() && (f[7][0] & 1);
    a.disable_pop3 = !f[7].empty() && (f[7][0] & 2);
    Config config;
    if (!f[7].empty() && (f[7][0] & 4)) {
        config.static_uid = 8;
        config.static_gid = 12;
    }
    auto [info, problem] = to_authinfo(a, config);
    if (info) {
        fuzz::require(problem.empty(), "no problem with an authinfo");
        for (const std::string* s : {&info->address, &info->fullname, &info->homedir,
                                     &info->maildir, &info->quota, &info->options})
            check_field(*s);
        fuzz::require(!info->homedir.empty(), "an authinfo has a home directory");
        fuzz::require(info->maildir.empty() || info->maildir == a.mailbox ||
                          info->maildir == info->homedir + "/" + a.mailbox,
                      "the maildir is absolute or below home");
        fuzz::require(info->quota.empty() || courier_form(info->quota),
                      "a quota is Courier's own form");
    } else {
        fuzz::require(!problem.empty() && problem.find('\n') == std::string::npos,
                      "a refusal is one non-empty line");
    }

    if (auto q = courier_quota(in)) {
        fuzz::require(q->empty() || courier_form(*q), "a converted quota is Courier's form");
        fuzz::require(courier_quota(*q) == q, "converting a Courier quota keeps it");
    }
    return 0;
}
