// vmaildir-postfix(8): vmaildir's lookup tables for Postfix, over socketmap and
// tcp_table (protocol.hpp, session.cpp) on the shared daemon skeleton
// (vmaildir/daemon/daemon.hpp); and the ldap: tables virtual(8) needs for
// delivery (ldap_tables.hpp), or the lmdb: ones written from the replica
// (lmdb_tables.hpp).
#include "auth_session.hpp"
#include "ldap_tables.hpp"
#include "lmdb_tables.hpp"
#include "listen_spec.hpp"
#include "session.hpp"
#include "vmaildir/daemon/daemon.hpp"

#include <iostream>
#include <sysexits.h>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::postfix;

namespace {

constexpr const char* usage_text =
    R"(Usage: vmaildir-postfix [OPTIONS] --listen SPEC [--listen SPEC ...]
       vmaildir-postfix ldap-tables [-c FILE] --live-domains TABLE --directory DIR
       vmaildir-postfix lmdb-tables [-c FILE] --directory DIR [--follow]

Serve vmaildir's lookup tables to Postfix: socketmap_table(5) and tcp_table(5),
on unix sockets and loopback TCP, many listeners and connections at once, all
answering from one cache and one LDAP connection pool.  A directory problem is
always "try later" (socketmap TEMP, tcp_table 400), never "not found".

Maps (the socketmap name; a tcp listener names its map):
  domain     virtual_mailbox_domains      mailbox    virtual_mailbox_maps (smtpd)
  alias      virtual_alias_maps           recipient  expanded final recipients
  transport  transport_maps               sender     smtpd_sender_login_maps
  uid, gid, quota                         per-account values

Listeners (SPEC), like the Postfix table that reaches them:
  socketmap:unix:/var/spool/postfix/private/vmaildir
  socketmap:inet:127.0.0.1:2526            socketmap:inet:[::1]:2526
  tcp:inet:127.0.0.1:2527:alias            (tcp_table: one map per listener, TCP only)
  dovecot-auth:unix:/var/spool/postfix/private/vmaildir-auth
                                           (SMTP AUTH PLAIN/LOGIN for smtpd_sasl_type =
                                           dovecot: 535 for a wrong password, 454 4.7.0
                                           when the directory cannot answer)

ldap-tables writes the ldap_table(5) files virtual(8) needs for delivery
(virtual(8) refuses socketmap for mailbox/uid/gid maps) from the same
configuration: DIR/vmaildir-mailbox.cf, plus -uid.cf and -gid.cf unless
static_uid/static_gid are set.  --live-domains is a table finding exactly the
live hosted domains as virtual(8) reaches it: vmaildir's transport map, e.g.
socketmap:unix:/var/spool/postfix/private/vmaildir:transport

lmdb-tables does the same from the replica (`replica = DIR` in vmaildir.conf,
kept by vmaildir-replica), with no LDAP at delivery: DIR/vmaildir-mailbox.lmdb
(and -uid, -gid), written with postmap, holding for every live account's
address what the socketmap map answers.  With --follow it keeps running and
applies each change in the directory to the tables as it reaches the
replica; use lmdb:DIR/vmaildir-mailbox in master.cf's virtual line.

Signals: SIGTERM/SIGINT stop cleanly; SIGHUP rereads the configuration (a
broken new configuration is logged and the old one kept).

Options:
)";

constexpr const char* exit_text = R"(
Exit status: 0 after SIGTERM, or when the tables are written; 64 usage error;
71 a listener could not be opened or root could not be dropped; 73 ldap-tables
could not write a table; 75 lmdb-tables (without --follow): the replica had not
been filled within 10 s; 78 configuration error (ldap-tables and lmdb-tables
only, including lmdb-tables without `replica = DIR`: the daemon itself stays
up with a broken configuration and answers TEMP, logging why).
)";

daemon::Program program() {
    using K = daemon::Option::Kind;
    daemon::Program p{"vmaildir-postfix", usage_text, exit_text,
                      daemon::daemon_options({"nobody", "postfix", "0660"}), true};
    p.options.insert(p.options.begin() + 1,
                     {"listen,l", K::values, "a listener SPEC (repeatable)", std::nullopt});
    p.options.push_back({"live-domains", K::value,
                         "ldap-tables: vmaildir's transport map as virtual(8) reaches it",
                         std::nullopt});
    p.options.push_back({"directory", K::value, "ldap-tables, lmdb-tables: where to write the tables",
                         std::nullopt});
    p.options.push_back({"postfix-config", K::value,
                         "lmdb-tables: Postfix's configuration directory, for postmap",
                         "/etc/postfix"});
    p.options.push_back(
        {"follow", K::flag, "lmdb-tables: keep the tables current until SIGTERM", std::nullopt});
    return p;
}

int tables_command(const daemon::Program& p, const daemon::CommandLine& cl) {
    const std::string& command = cl.arguments().front();
    if (cl.arguments().size() != 1 || (command != "ldap-tables" && command != "lmdb-tables"))
        return daemon::usage_error(p, "unknown command '" + command + "'");
    if (command == "lmdb-tables") {
        if (!cl.has("directory"))
            return daemon::usage_error(p, "lmdb-tables needs --directory");
        return write_lmdb_tables(cl.value("config"), cl.value("directory"),
                                 cl.value("postfix-config"), cl.has("follow"), cl.value("log"));
    }
    if (!cl.has("live-domains") || !cl.has("directory"))
        return daemon::usage_error(p, "ldap-tables needs --live-domains and --directory");
    return write_ldap_tables(cl.value("config"), cl.value("live-domains"), cl.value("directory"));
}

} // namespace

int main(int argc, char** argv) try {
    const daemon::Program p = program();
    int status = 0;
    auto cl = daemon::CommandLine::parse(p, argc, argv, status);
    if (!cl)
        return status;
    if (!cl->arguments().empty())
        return tables_command(p, *cl);

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
                                  if (spec.protocol == Protocol::socketmap)
                                      serve_socketmap(c, spec);
                                  else if (spec.protocol == Protocol::dovecot_auth)
                                      dovecot::serve_auth(c, spec.text);
                                  else
                                      serve_tcp_table(c, spec);
                              });
} catch (const std::exception& e) {
    std::cerr << "vmaildir-postfix: internal error: " << e.what() << "\n";
    return EX_SOFTWARE;
}
