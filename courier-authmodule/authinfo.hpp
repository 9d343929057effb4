// What the Courier module hands to authlib, built from the core's Account.
// Pure functions over strings, so they are unit-tested without authdaemond.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "vmaildir/config/config.hpp"
#include "vmaildir/model/entities.hpp"

namespace vmaildir::courier {

/// The fields of Courier's `struct authinfo` (courierauth.h) as owned strings.
struct AuthInfo {
    std::string address;
    std::string fullname;
    std::string homedir;
    std::string maildir;
    std::string quota;   ///< Courier maildir quota ("100000000S"), empty for none
    std::string options; ///< "disableimap=1,disablepop3=1" where the account says so
    uid_t uid = 0;
    gid_t gid = 0;
};

/// The authinfo of a live account, or a one-line reason why it cannot be built (no home
/// directory, no uid/gid and no static_uid/static_gid, a quota Courier cannot read): the
/// directory is then incomplete, which is a temporary failure, never "no such user".  A value
/// holding a newline or NUL is refused too: authdaemond would read it as further fields.  The
/// reason is one printable line.
std::pair<std::optional<AuthInfo>, std::string> to_authinfo(const Account& account,
                                                            const Config& config);

/// Courier's maildir quota from a stored quota: Courier's own form ("100000000S",
/// "1000C", "100000000S,1000C") passes; a size with a unit (bytes, or K, M, G, T as powers of
/// 1024: the Exim layout's "32M") becomes "<bytes>S"; "0" or empty means no quota (empty).
/// Nothing for anything else.
std::optional<std::string> courier_quota(std::string_view stored);

/// Splits the `login` authtype's data, "userid\npassword\n" (authlib's auth_generic); nothing
/// when it is not of that shape.
std::optional<std::pair<std::string, std::string>> parse_login(std::string_view authdata);

} // namespace vmaildir::courier
