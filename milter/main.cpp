// vmaildir-milter(8): refuses unknown recipients and unowned senders at SMTP
// time, from the vmaildir directory, for any milter-capable MTA (Postfix,
// Sendmail).  libmilter owns the socket and the threads (filter.hpp); the
// common pieces are the daemon skeleton's: options, Bootstrap, ServiceHolder,
// privilege drop.  Signals: signal_relay.hpp.
#include <atomic>
#include "filter.hpp"
#include "signal_relay.hpp"
#include "vmaildir/daemon/daemon.hpp"
#include "vmaildir/daemon/privileges.hpp"
#include "vmaildir/service/bootstrap.hpp"

#include <csignal>
#include <iostream>
#include <sysexits.h>
#include <thread>

using namespace vmaildir;
using namespace vmaildir::milter;

namespace {

constexpr const char* usage_text =
    R"(Usage: vmaildir-milter [OPTIONS] --listen SOCKET

A milter (Sendmail's mail filter protocol, through Debian's libmilter) that
checks every envelope against the vmaildir directory while the SMTP client is
still connected, without touching the MTA's own lookup tables:

  RCPT  a recipient in a hosted domain that resolves (account, alias,
        sub-address, catch-all) is accepted; one that does not gets
        550 5.1.1; any directory trouble gets 451 4.3.0, never a 5xx.
        Recipients outside the hosted domains are left to the MTA.
  MAIL  with SMTP AUTH ({auth_authen}), the login must own the envelope
        sender (the `sender` map) or MAIL gets 550 5.7.1; directory
        trouble gets 451 4.3.0.  The null sender is always allowed.
        Unauthenticated senders in a hosted domain: --unauthenticated-senders.

One cache and one LDAP connection pool serve every connection and every
libmilter worker thread.

Sockets (SOCKET, libmilter's syntax):
  unix:/var/spool/postfix/vmaildir/milter.sock   (Postfix: smtpd_milters =
                                     unix:vmaildir/milter.sock, chroot-relative)
  inet:8891@127.0.0.1               inet6:8891@[::1]
A unix socket gets --socket-group and --socket-mode; a stale one is replaced.

Signals: SIGTERM/SIGINT stop cleanly (connections finish their command);
SIGHUP rereads the configuration (a broken new configuration is logged and
the old one kept).

Options:
)";

constexpr const char* exit_text = R"(
With --mode test nothing is refused: every answer the milter would have given
is logged ("test mode, not answering 550 5.1.1 ..."), so it can be tried on
live traffic first.  Temporary failures are logged with their reason in either
mode; the SMTP client only sees "Temporary lookup failure".

When the milter itself is down, the MTA decides: Postfix's
milter_default_action (tempfail by default), Sendmail's F= flags.

Exit status: 0 after SIGTERM; 64 usage error; 70 libmilter stopped without
being asked to; 71 the socket could not be opened or root could not be
dropped.  A broken configuration does not stop the milter: it answers 451 and
logs why.
)";

daemon::Program program() {
    using K = daemon::Option::Kind;
    daemon::DaemonDefaults defaults{"nobody", "postfix", "0660", "7210", /*own_server=*/false};
    daemon::Program p{"vmaildir-milter", usage_text, exit_text, daemon::daemon_options(defaults),
                      false};
    for (daemon::Option& o : p.options)
        if (o.names == "idle-timeout")
            o.help = "seconds to wait for the MTA before giving up a connection";
    p.options.insert(
        p.options.begin() + 1,
        {{"listen,l", K::value, "the SOCKET to listen on", std::nullopt},
         {"mode", K::value, "reject: answer; test: only log what would be answered", "reject"},
         {"unauthenticated-senders", K::value,
          "a client without SMTP AUTH using a hosted domain's address as sender: "
          "off (not checked), log (never defers: directory trouble is logged), or reject "
          "(550 5.7.1; 451 on directory trouble)",
          "off"}});
    return p;
}

} // namespace

int main(int argc, char** argv) try {
    const daemon::Program p = program();
    int status = 0;
    auto cl = daemon::CommandLine::parse(p, argc, argv, status);
    if (!cl)
        return status;

    auto parsed = daemon::daemon_settings(*cl);
    if (auto* problem = std::get_if<std::string>(&parsed))
        return daemon::usage_error(p, *problem);
    const auto& settings = std::get<daemon::DaemonSettings>(parsed);
    std::string spec = cl->value("listen");
    if (spec.empty())
        return daemon::usage_error(p, "give the --listen SOCKET");
    if (std::string problem = check_socket_spec(spec); !problem.empty())
        return daemon::usage_error(p, "--listen " + problem);
    FilterSettings filter_settings;
    auto mode = parse_mode(cl->value("mode"));
    if (!mode)
        return daemon::usage_error(p, "--mode " + cl->value("mode") + ": expected reject or test");
    filter_settings.mode = *mode;
    auto unauthenticated = parse_unauthenticated(cl->value("unauthenticated-senders"));
    if (!unauthenticated)
        return daemon::usage_error(p, "--unauthenticated-senders " +
                                          cl->value("unauthenticated-senders") +
                                          ": expected off, log or reject");
    filter_settings.unauthenticated = *unauthenticated;
    filter_settings.timeout = static_cast<int>(settings.limits.idle_timeout.count());

    // Before any thread: the handlers, then the configuration and the service.
    SignalRelay signals;
    Bootstrap boot(settings.config_path,
                   {p.name, settings.log_target, "syslog",
                    settings.verbose ? std::optional<LogLevel>(LogLevel::debug) : std::nullopt});
    Logger& log = boot.log();
    if (!boot.problem().empty()) {
        log.error("configuration unusable, answering every check with 451: " + boot.problem());
        std::cerr << p.name << ": configuration error, answering every check with 451 until it "
                  << "is fixed: " << boot.problem() << "\n";
    }
    daemon::ServiceHolder services(boot.open());
    milter::Filter filter(services, filter_settings, log);
    if (!daemon::user_known(settings.user, log))
        return EX_OSERR;
    if (!filter.open(spec, settings.sockets)) {
        std::cerr << p.name << ": cannot listen on " << spec << " (see the log)\n";
        return EX_OSERR;
    }
    if (!daemon::drop_privileges(settings.user, log))
        return EX_OSERR;
    log.info("serving " + services.current()->describe() + " on " + spec + " (mode " +
             cl->value("mode") + ", unauthenticated senders " +
             cl->value("unauthenticated-senders") + ")");

    bool clean = true;
    std::atomic<bool> returned{false}; // smfi_main() has returned
    std::thread worker([&] {
        SignalRelay::block_in_this_thread(); // libmilter's threads inherit it
        clean = filter.run();
        returned = true;
        signals.wake();
    });
    bool stopping = false;
    for (;;) {
        int sig = signals.wait();
        if (sig == 0)
            break; // smfi_main() returned
        if (sig == SIGHUP && !stopping) {
            if (auto fresh = boot.reload()) {
                services.replace(std::move(fresh));
                log.info("configuration reloaded from " + boot.path());
            }
        } else if (sig != SIGHUP && !stopping) {
            log.info("stopping on signal " + std::to_string(sig));
            stopping = true;
            // smfi_stop() once smfi_main() has returned would lock a mutex libmilter has
            // destroyed (ThreadSanitizer saw it: a signal can come as libmilter ends).
            if (!returned)
                milter::Filter::stop();
        }
    }
    worker.join();
    if (!clean) {
        log.error("libmilter stopped with an error");
        return EX_SOFTWARE;
    }
    if (!stopping) {
        // Nobody asked: say so, and exit with a failure so that a supervisor restarts the
        // milter (the systemd unit has Restart=on-failure).
        log.error("libmilter stopped without being asked to; exiting so that it is restarted");
        return EX_SOFTWARE;
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "vmaildir-milter: internal error: " << e.what() << "\n";
    return EX_SOFTWARE;
}
