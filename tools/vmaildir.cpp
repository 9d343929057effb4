// vmaildir(1): look up, explain, authenticate and check against the directory
// exactly as the adapters do — the administrator's `postmap -q` for vmaildir —
// and administer it (admin_cli.hpp).
#include "admin_cli.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/daemon/command_line.hpp"
#include "vmaildir/directory/ldif_backend.hpp"
#include "vmaildir/ldap/access_rules.hpp"
#include "vmaildir/ldap/profile.hpp"
#include "vmaildir/replica/settings.hpp"
#include "vmaildir/replica/store.hpp"
#include "vmaildir/resolve/maps.hpp"
#include "vmaildir/service/bootstrap.hpp"
#include "vmaildir/service/config_file.hpp"

#include <algorithm>
#include <csignal>
#include <ctime>
#include <iostream>
#include <string>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>
#include <vector>

using namespace vmaildir;

namespace {

constexpr const char* usage_text = R"(Usage: vmaildir [OPTIONS] COMMAND [ARGUMENTS]

Answer directory questions exactly as the vmaildir adapters answer them.

Commands:
  lookup MAP KEY     One lookup, printed like `postmap -q`: the values, comma-separated.
                     MAP is one of: domain, mailbox, alias, recipient, transport, uid,
                     gid, quota, sender.
  explain ADDRESS    Every step of the resolution order (domain, alias, account,
                     sub-address, catch-all) and the outcome, read from the directory
                     without the cache; then the final recipients.
  auth LOGIN         Check the password read from the first line of standard input
                     (not echoed on a terminal) as the --service would.
  check              Validate the configuration, then the directory: domains lacking
                     postmaster@ or abuse@ (RFC 2142), alias loops, duplicate addresses,
                     catch-alls, malformed entries, dangling alias destinations,
                     passwords stored in cleartext.
  hash-password      Read a password from standard input and print a userPassword value
                     in the configured password_scheme.
  acl-rules          Print slapd access rules (slapd.conf `access to` directives) that
                     enforce the delegated-administration matrix for the configured
                     layout, search base, site admins and bind_dn.
  config-keys        Print every configuration key with its default and meaning.
)";

constexpr const char* exit_text = R"(
Exit status:
  0   found / authenticated / directory consistent / done
  1   not found / refused / check found errors
  64  usage error
  75  temporary failure (directory down, timeout, ambiguous or malformed entries)
  78  configuration error

Files:
  /etc/vmaildir/vmaildir.conf   default configuration (see vmaildir.conf(5))
)";

int outcome_status(Outcome o) {
    switch (o) {
    case Outcome::found:
        return 0;
    case Outcome::not_found:
        return 1;
    case Outcome::temp_fail:
        return EX_TEMPFAIL;
    }
    return EX_TEMPFAIL;
}

std::string join(const std::vector<std::string>& values, const char* sep = ", ") {
    std::string out;
    for (const std::string& v : values)
        out += (out.empty() ? "" : sep) + v;
    return out;
}

/// Reads one line from stdin; on a terminal, without echo.
std::string read_secret(const char* prompt) {
    termios saved{};
    bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0;
    if (tty) {
        std::cerr << prompt << std::flush;
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    }
    std::string line;
    std::getline(std::cin, line);
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
        std::cerr << "\n";
    }
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

int cmd_lookup(Service& service, const std::vector<std::string>& args, bool verbose) {
    if (args.size() != 2) {
        std::cerr << "vmaildir: lookup needs MAP and KEY\n";
        return EX_USAGE;
    }
    auto map = parse_map_name(args[0]);
    if (!map) {
        std::cerr << "vmaildir: unknown map '" << args[0] << "' (use " << join(map_names())
                  << ")\n";
        return EX_USAGE;
    }
    auto r = service.lookup(*map, args[1]);
    if (r.is_found())
        std::cout << join(r.value()) << "\n";
    else if (r.is_temp_fail() || verbose)
        std::cerr << "vmaildir: " << to_string(r.outcome()) << ": " << r.reason() << "\n";
    return outcome_status(r.outcome());
}

int cmd_explain(Service& service, const std::vector<std::string>& args) {
    if (args.size() != 1) {
        std::cerr << "vmaildir: explain needs one ADDRESS\n";
        return EX_USAGE;
    }
    std::cout << "explain " << args[0] << " in " << service.describe() << "\n";
    Trace trace;
    auto r = service.resolve(args[0], &trace);
    // Lines carry the SPEC §3 step that produced them: [1] domain, [2] alias, [3] account,
    // [4] the same without the sub-address, [5] catch-all.
    for (const std::string& line : trace)
        std::cout << "  " << line << "\n";
    if (!r.is_found()) {
        std::cout << "result: " << to_string(r.outcome()) << ": " << r.reason() << "\n";
        return outcome_status(r.outcome());
    }
    const Delivery& d = r.value();
    std::cout << "result: found by " << to_string(d.route) << " " << d.matched
              << (d.via_subaddress ? " (sub-address removed)" : "") << ": ";
    if (d.route == Route::account)
        std::cout << "deliver to the mailbox of " << d.matched
                  << (d.account && !d.account->mailbox.empty() ? " (" + d.account->mailbox + ")"
                                                               : "")
                  << "\n";
    else
        std::cout << "forward to " << join(d.destinations) << "\n";
    auto finals = service.expand(args[0]);
    if (finals.is_found())
        std::cout << "final recipients: " << join(finals.value()) << "\n";
    else
        std::cout << "final recipients: " << to_string(finals.outcome()) << ": " << finals.reason()
                  << "\n";
    return finals.is_found() ? 0 : outcome_status(finals.outcome());
}

int cmd_auth(Service& service, const std::vector<std::string>& args, const std::string& what,
             bool verbose) {
    if (args.size() != 1) {
        std::cerr << "vmaildir: auth needs one LOGIN\n";
        return EX_USAGE;
    }
    std::string password = read_secret("Password: ");
    Trace trace;
    auto r = service.authenticate(args[0], password, what, verbose ? &trace : nullptr);
    for (const std::string& line : trace)
        std::cerr << "  " << line << "\n";
    if (r.is_found())
        std::cout << "authenticated: " << r.value().address << "\n";
    else
        std::cout << (r.is_not_found() ? "refused: " : "temporary failure: ") << r.reason() << "\n";
    return outcome_status(r.outcome());
}

/// The replica's state and lag, when the configuration answers from one.
void print_replica(const Config& config) {
    const replica::ReplicaSettings* settings = replica::replica_settings(config);
    if (!settings)
        return;
    auto status = replica::read_store_status(settings->path);
    if (!status.is_found()) {
        std::cout << "replica: " << status.reason() << "\n";
        return;
    }
    const replica::StoreStatus& s = status.value();
    long long lag = static_cast<long long>(std::time(nullptr)) - s.synced_at;
    std::cout << "replica: " << settings->path << ": "
              << (s.ready ? "filled" : "not filled yet (the first refresh has not completed)")
              << ", " << s.entries << " entries, generation " << s.generation << "; ";
    if (s.synced_at == 0)
        std::cout << "never in sync";
    else
        std::cout << "last known current " << lag << "s ago, from "
                  << (s.provider.empty() ? "?" : s.provider);
    std::cout << " (replica_max_stale " << settings->max_stale.count() << "s"
              << (s.ready && lag > settings->max_stale.count() ? ": answering temporary failures"
                                                               : "")
              << ")\n";
}

int cmd_check(Service& service) {
    std::cout << "configuration: ok (" << service.describe() << ")\n";
    print_replica(service.config());
    auto r = service.check();
    if (!r.is_found()) {
        std::cout << "directory: " << to_string(r.outcome()) << ": " << r.reason() << "\n";
        return outcome_status(r.outcome());
    }
    const CheckReport& report = r.value();
    std::size_t errors = 0, warnings = 0;
    for (const Finding& f : report.findings) {
        const char* label = "info";
        if (f.severity == Finding::Severity::error) {
            label = "error";
            ++errors;
        } else if (f.severity == Finding::Severity::warning) {
            label = "warning";
            ++warnings;
        }
        std::cout << label << ": " << f.text << "\n";
    }
    std::cout << "directory: " << report.domains << " domains, " << report.accounts << " accounts, "
              << report.aliases << " aliases; " << errors << " errors, " << warnings
              << " warnings\n";
    return errors ? 1 : 0;
}

int cmd_hash(const Config& config) {
    std::string password = read_secret("New password: ");
    if (password.empty()) {
        std::cerr << "vmaildir: empty password\n";
        return EX_USAGE;
    }
    auto hashed = hash_password(password, config.auth.scheme);
    if (!hashed) {
        std::cerr << "vmaildir: cannot hash with " << to_string(config.auth.scheme) << "\n";
        return EX_TEMPFAIL;
    }
    std::cout << *hashed << "\n";
    return 0;
}

daemon::Program program() {
    using K = daemon::Option::Kind;
    daemon::Program p{
        "vmaildir",
        std::string(usage_text) + cli::admin_usage + "\nOptions:\n",
        exit_text,
        {{"config,c", K::value, "configuration file", std::string(default_config_path)},
         {"ldif", K::value, "answer from this LDIF file instead of the configured directory",
          std::nullopt},
         {"service", K::value,
          "auth: the service logging in (imap, pop3, smtp), for per-service flags",
          std::string("smtp")},
         {"verbose,v", K::flag, "auth: show each step; lookup: say why nothing was found",
          std::nullopt},
         {"version", K::flag, "show the version", std::nullopt}},
        true};
    for (daemon::Option& o : cli::admin_options())
        p.options.push_back(std::move(o));
    return p;
}

} // namespace

int main(int argc, char** argv) try {
    std::signal(SIGPIPE, SIG_IGN); // a server closing on us must be an error, not a death

    const daemon::Program p = program();
    int status = 0;
    auto cl = daemon::CommandLine::parse(p, argc, argv, status);
    if (!cl)
        return status;
    if (cl->has("version")) {
        std::cout << "vmaildir " VMAILDIR_VERSION "\n";
        return 0;
    }
    if (cl->arguments().empty()) {
        std::cerr << "vmaildir: no command given\nTry 'vmaildir --help'.\n";
        return EX_USAGE;
    }
    const std::string command = cl->arguments().front();
    const std::vector<std::string> args(cl->arguments().begin() + 1, cl->arguments().end());
    if (command == "config-keys") {
        std::cout << config_reference();
        return 0;
    }
    static const std::vector<std::string> known{"lookup", "explain",       "auth",
                                                "check",  "hash-password", "acl-rules"};
    const bool admin = cli::is_admin_command(command);
    if (!admin && std::find(known.begin(), known.end(), command) == known.end()) {
        std::cerr << "vmaildir: unknown command '" << command << "'\nTry 'vmaildir --help'.\n";
        return EX_USAGE;
    }

    const bool verbose = cl->has("verbose");
    Bootstrap boot(cl->value("config"),
                   {"vmaildir", "stderr", "stderr", verbose ? LogLevel::debug : LogLevel::warning});
    Config* config = boot.config();
    if (!config) {
        std::cerr << "vmaildir: configuration error: " << boot.problem() << "\n";
        return EX_CONFIG;
    }
    if (cl->has("ldif"))
        use_ldif_file(*config, cl->value("ldif"));
    if (command == "hash-password")
        return cmd_hash(*config);
    if (command == "acl-rules") {
        auto ldap = ldap_profile(*config);
        AclRuleSettings rules{config->search_base,           config->site_admins,
                              config->site_admin_group,      ldap ? ldap->bind_dn : std::string(),
                              config->edit_accounts_default, config->edit_postmasters_default};
        std::cout << openldap_access_rules(config->schema, rules, config->acl);
        return 0;
    }

    auto service = boot.open();
    if (service->is_broken()) {
        std::cerr << "vmaildir: configuration error: " << service->broken_reason() << "\n";
        return EX_CONFIG;
    }
    if (admin)
        return cli::run_admin(*cl, *service, boot.log(), read_secret);
    if (command == "lookup")
        return cmd_lookup(*service, args, verbose);
    if (command == "explain")
        return cmd_explain(*service, args);
    if (command == "auth")
        return cmd_auth(*service, args, cl->value("service"), verbose);
    return cmd_check(*service);
} catch (const std::exception& e) {
    std::cerr << "vmaildir: internal error: " << e.what() << "\n";
    return EX_SOFTWARE;
}
