// vmaildir-exim(8): vmaildir's lookups for Exim's ${readsocket} (protocol.hpp,
// session.cpp) on the shared daemon skeleton (vmaildir/daemon/daemon.hpp).
#include "auth_session.hpp"
#include "listen_spec.hpp"
#include "session.hpp"
#include "vmaildir/daemon/daemon.hpp"

#include <iostream>
#include <sysexits.h>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::exim;

namespace {

constexpr const char* usage_text =
    R"(Usage: vmaildir-exim [OPTIONS] --listen SPEC [--listen SPEC ...]

Answer Exim's ${readsocket} lookups from the vmaildir directory: one request
"MAP KEY\n" per connection, one reply, then the connection is closed.  Many
connections at once, one cache and one LDAP connection pool for all of them.

Replies: the value when found; ":notfound:" when not found (the router
declines, RCPT gets 550 through verify = recipient); ":defer: REASON" for any
directory trouble (the router defers, RCPT gets 451): never "not found".  An
empty reply means the daemon ended before answering, and defers too.
examples/exim/exim4.conf turns these into Exim's terms with two macros.

Maps (MAP):
  domain     the domain, when hosted      mailbox    Maildir path (relative)
  recipient  final addresses, a redirect list (alias: the same)
  uid, gid   numeric ids for delivery     quota      bytes for appendfile (0: none)
  sender     logins that may send as the address, a colon list
  transport  the domain's transport

SMTP AUTH: a dovecot-auth listener speaks the Dovecot authentication protocol
to Exim's `dovecot` authenticator (and to Postfix's smtpd_sasl_type = dovecot):
PLAIN and LOGIN, the password checked as for IMAP logins.  A wrong password
fails (535); directory trouble closes the connection without an answer, which
the MTA reports as a temporary failure (Exim 435, Postfix 454 4.7.0).

Listeners (SPEC):
  readsocket:unix:/run/vmaildir/exim.sock
  readsocket:inet:127.0.0.1:2528           readsocket:inet:[::1]:2528
  dovecot-auth:unix:/run/vmaildir/exim-auth.sock
  dovecot-auth:inet:127.0.0.1:2529

Signals: SIGTERM/SIGINT stop cleanly; SIGHUP rereads the configuration (a
broken new configuration is logged and the old one kept).

Options:
)";

constexpr const char* exit_text = R"(
Exit status: 0 after SIGTERM; 64 usage error; 71 a listener could not be opened
or root could not be dropped.  A broken configuration does not stop the daemon:
it answers ":defer:" and logs why.
)";

daemon::Program program() {
    using K = daemon::Option::Kind;
    daemon::Program p{"vmaildir-exim", usage_text, exit_text,
                      daemon::daemon_options({"nobody", "Debian-exim", "0660"}), false};
    p.options.insert(p.options.begin() + 1,
                     {"listen,l", K::values, "a listener SPEC (repeatable)", std::nullopt});
    return p;
}

} // namespace

int main(int argc, char** argv) try {
    const daemon::Program p = program();
    int status = 0;
    auto cl = daemon::CommandLine::parse(p, argc, argv, status);
    if (!cl)
        return status;

    auto settings = daemon::daemon_settings(*cl);
    if (auto* problem = std::get_if<std::string>(&settings))
        return daemon::usage_error(p, *problem);
    auto parsed = daemon::listen_specs<ListenSpec>(*cl, parse_listen_spec);
    if (auto* problem = std::get_if<std::string>(&parsed))
        return daemon::usage_error(p, *problem);
    const std::vector<ListenSpec>& specs = std::get<std::vector<ListenSpec>>(parsed);

    std::vector<daemon::Endpoint> endpoints(specs.begin(), specs.end());
    return daemon::run_daemon(p, std::get<daemon::DaemonSettings>(settings), endpoints,
                              [&specs](daemon::Connection& c) {
                                  const ListenSpec& spec = specs[c.listener()];
                                  if (spec.protocol == Protocol::dovecot_auth)
                                      dovecot::serve_auth(c, spec.text);
                                  else
                                      serve_readsocket(c, spec);
                              });
} catch (const std::exception& e) {
    std::cerr << "vmaildir-exim: internal error: " << e.what() << "\n";
    return EX_SOFTWARE;
}
