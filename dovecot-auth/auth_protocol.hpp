// The server side of the Dovecot authentication protocol (auth-client, version
// 1), as far as SMTP AUTH PLAIN and LOGIN need it: what Exim 4.96's `dovecot`
// authenticator (src/auths/dovecot.c) and Postfix 3.7's `smtpd_sasl_type =
// dovecot` (src/xsasl/xsasl_dovecot_server.c) speak.  Lines are TAB-separated
// fields ending in LF.
//
// Server, at once on connect (Exim reads all of it before it sends anything):
//   VERSION 1 2 / MECH PLAIN plaintext / MECH LOGIN plaintext / SPID pid /
//   CUID n / COOKIE hex / DONE
// Client: VERSION 1 x (another major version closes the connection), CPID pid,
// then per authentication
//   AUTH id mech service=smtp [lip= rip= secured nologin ...] [resp=BASE64]
//   CONT id BASE64                        (answers to our CONT)
// Server replies, per id:
//   CONT id BASE64     PLAIN without an initial response: "" (empty challenge);
//                      LOGIN: "Username:", then "Password:"
//   OK id user=LOGIN   the password is right (the hosts take the login from it)
//   FAIL id user=LOGIN reason=...   wrong password, unknown login, not live, bad
//                      base64 or PLAIN syntax, authorization identity given: 535
// A temporary failure (the directory cannot answer) has no reply in either
// host's client: neither reads FAIL's `temp` flag.  So the connection is closed
// without one, which both treat as temporary: Postfix answers "454 4.7.0
// Temporary authentication failure", Exim "435 Unable to authenticate at
// present".  Never 535 for directory trouble.
#pragma once

#include "vmaildir/directory/result.hpp"

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace vmaildir::dovecot {

/// Lines longer than this close the connection (Exim's own limit is 8192); serve_auth() splits
/// what a client sends with util::LineReader.
inline constexpr std::size_t max_line = 8192;

/// Checks a login and password for a service: found with the canonical login; not_found for
/// a wrong password or a login that may not log in; temp_fail for directory trouble.
using PasswordCheck = std::function<Result<std::string>(
    std::string_view login, std::string_view password, std::string_view service)>;

/// The handshake the server sends on connect.
std::string handshake(unsigned long server_pid, unsigned long connection_id,
                      std::string_view cookie_hex);

/// One connection's conversation.  Not thread-safe; one per connection.
class Conversation {
public:
    explicit Conversation(PasswordCheck check) : check_(std::move(check)) {}

    struct Step {
        std::string reply; ///< lines to send (may be empty)
        bool close = false;
        std::string log; ///< what to log as a warning (temporary failures, protocol errors)
        /// What to log at info level: a refused login, for fail2ban and the like (the
        /// client's own log says only "authentication failed").
        std::string notice;
    };
    /// Handles one line from the client, without its LF.
    Step line(std::string_view line);

private:
    struct Pending {
        std::string mech;
        std::string service;
        bool have_login = false; ///< LOGIN: the user name came
        std::string login;
    };
    Step finish(const std::string& id, const std::string& service, std::string_view login,
                std::string_view password);
    Step respond(const std::string& id, Pending& pending, std::string_view base64);

    PasswordCheck check_;
    std::map<std::string, Pending> pending_;
};

} // namespace vmaildir::dovecot
