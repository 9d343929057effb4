// vmaildir-postfix(8): vmaildir's lookup tables for Postfix, over socketmap and
// tcp_table; and the ldap: tables virtual(8) needs for delivery.
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sysexits.h>
#include <unistd.h>

#include <boost/program_options.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sys/stat.h>
#include <thread>

#include "ldap_tables.hpp"
#include "server.hpp"
#include "vmaildir/config.hpp"

namespace po = boost::program_options;
using namespace vmaildir;
using namespace vmaildir::postfix;

namespace {

constexpr const char* usage_text = R"(Usage: vmaildir-postfix [OPTIONS] --listen SPEC [--listen SPEC ...]
       vmaildir-postfix ldap-tables [-c FILE] --live-domains TABLE --directory DIR

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

ldap-tables writes the ldap_table(5) files virtual(8) needs for delivery
(virtual(8) refuses socketmap for mailbox/uid/gid maps) from the same
configuration: DIR/vmaildir-mailbox.cf, plus -uid.cf and -gid.cf unless
static_uid/static_gid are set.  --live-domains is a table finding exactly the
live hosted domains as virtual(8) reaches it: vmaildir's transport map, e.g.
socketmap:unix:/var/spool/postfix/private/vmaildir:transport

Signals: SIGTERM/SIGINT stop cleanly; SIGHUP rereads the configuration (a
broken new configuration is logged and the old one kept).

Options:
)";

constexpr const char* exit_text = R"(
Exit status: 0 after SIGTERM; 64 usage error; 71 a listener could not be opened;
78 configuration error (ldap-tables only: the daemon itself stays up with a
broken configuration and answers TEMP, logging why).
)";

std::unique_ptr<Logger> make_logger(const std::string& target, const Config* config) {
    std::string where = target.empty() ? (config ? config->log_target : "syslog") : target;
    if (where == "stderr")
        return make_stderr_logger("vmaildir-postfix");
    auto log = make_syslog_logger("vmaildir-postfix", config ? config->log_facility : "mail");
    return log ? std::move(log) : make_stderr_logger("vmaildir-postfix");
}

std::shared_ptr<Service> open_service(const std::string& path, Logger& log) {
    return std::shared_ptr<Service>(Service::open_file(path, log).release());
}

/// Gives up root for good: supplementary groups, gid, uid — in that order.
bool drop_privileges(const std::string& user, Logger& log) {
    if (geteuid() != 0)
        return true;
    errno = 0;
    passwd* pw = getpwnam(user.c_str());
    if (!pw) {
        log.error("--user " + user + ": no such user");
        return false;
    }
    if (initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0) {
        log.error("dropping privileges to " + user + ": " + std::strerror(errno));
        return false;
    }
    if (setuid(0) == 0) {
        log.error("dropping privileges to " + user + ": root could be regained");
        return false;
    }
    return true;
}

int write_tables(const std::string& config_path, const std::string& live_domains,
                 const std::string& directory) {
    Config config;
    try {
        config = load_config(config_path);
    } catch (const ConfigError& e) {
        std::cerr << "vmaildir-postfix: configuration error: " << e.what() << "\n";
        return EX_CONFIG;
    }
    for (const GeneratedTable& t : ldap_tables(config, live_domains)) {
        std::string path = directory + "/vmaildir-" + t.name + ".cf";
        std::string tmp = path + ".tmp";
        mode_t old = umask(077); // the file may hold the bind password
        std::ofstream out(tmp, std::ios::trunc);
        umask(old);
        out << t.text;
        out.close();
        bool written = static_cast<bool>(out);
        // Postfix daemons open their tables as the postfix user (ldap_table(5) on bind_pw):
        // readable by that group, by nobody else.
        if (written)
            if (struct group* g = getgrnam("postfix"))
                written = chown(tmp.c_str(), static_cast<uid_t>(-1), g->gr_gid) == 0 &&
                          chmod(tmp.c_str(), 0640) == 0;
        if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
            std::cerr << "vmaildir-postfix: cannot write " << path << ": " << std::strerror(errno)
                      << "\n";
            return EX_CANTCREAT;
        }
        std::cout << path << "\n";
    }
    std::cout << "virtual_mailbox_maps = ldap:" << directory << "/vmaildir-mailbox.cf\n"
              << "virtual_uid_maps = "
              << (config.static_uid ? "static:" + std::to_string(*config.static_uid)
                                    : "ldap:" + directory + "/vmaildir-uid.cf")
              << "\nvirtual_gid_maps = "
              << (config.static_gid ? "static:" + std::to_string(*config.static_gid)
                                    : "ldap:" + directory + "/vmaildir-gid.cf")
              << "\n";
    return 0;
}

} // namespace

int main(int argc, char** argv) try {
    po::options_description options;
    options.add_options()("config,c", po::value<std::string>()->default_value(default_config_path),
                          "configuration file")(
        "listen,l", po::value<std::vector<std::string>>()->composing(),
        "a listener SPEC (repeatable)")(
        "user,u", po::value<std::string>()->default_value("nobody"),
        "run as this user once the listeners are open (when started as root)")(
        "socket-group", po::value<std::string>()->default_value("postfix"),
        "group of the unix sockets (Postfix's daemons run in it)")(
        "socket-mode", po::value<std::string>()->default_value("0660"),
        "permissions of the unix sockets")(
        "max-connections", po::value<std::size_t>()->default_value(1000),
        "most client connections at once")(
        "idle-timeout", po::value<long>()->default_value(300),
        "seconds before an idle connection is closed")(
        "log", po::value<std::string>()->default_value(""),
        "syslog or stderr (default: the configuration's `log`)")(
        "verbose,v", "log every lookup")(
        "live-domains", po::value<std::string>(), "ldap-tables: vmaildir's transport map as virtual(8) reaches it")(
        "directory", po::value<std::string>(), "ldap-tables: where to write the tables")(
        "help,h", "show this help");
    po::options_description hidden;
    hidden.add_options()("command", po::value<std::string>());
    po::options_description all;
    all.add(options).add(hidden);
    po::positional_options_description positional;
    positional.add("command", 1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        std::cerr << "vmaildir-postfix: " << e.what() << "\nTry 'vmaildir-postfix --help'.\n";
        return EX_USAGE;
    }
    if (vm.count("help")) {
        std::cout << usage_text << options << exit_text;
        return 0;
    }
    const std::string config_path = vm["config"].as<std::string>();
    if (vm.count("command")) {
        if (vm["command"].as<std::string>() != "ldap-tables") {
            std::cerr << "vmaildir-postfix: unknown command '" << vm["command"].as<std::string>()
                      << "'\n";
            return EX_USAGE;
        }
        if (!vm.count("live-domains") || !vm.count("directory")) {
            std::cerr << "vmaildir-postfix: ldap-tables needs --live-domains and --directory\n";
            return EX_USAGE;
        }
        return write_tables(config_path, vm["live-domains"].as<std::string>(),
                            vm["directory"].as<std::string>());
    }

    ServerOptions server_options;
    if (!vm.count("listen")) {
        std::cerr << "vmaildir-postfix: give at least one --listen SPEC\n";
        return EX_USAGE;
    }
    for (const std::string& text : vm["listen"].as<std::vector<std::string>>()) {
        auto spec = parse_listen_spec(text);
        if (auto* problem = std::get_if<std::string>(&spec)) {
            std::cerr << "vmaildir-postfix: --listen " << *problem << "\n";
            return EX_USAGE;
        }
        server_options.listeners.push_back(std::get<ListenSpec>(spec));
    }
    server_options.max_connections = vm["max-connections"].as<std::size_t>();
    server_options.idle_timeout = std::chrono::seconds(vm["idle-timeout"].as<long>());
    server_options.socket_mode =
        static_cast<mode_t>(std::stoul(vm["socket-mode"].as<std::string>(), nullptr, 8));
    if (std::string name = vm["socket-group"].as<std::string>(); !name.empty()) {
        struct group* g = getgrnam(name.c_str());
        if (!g) {
            std::cerr << "vmaildir-postfix: --socket-group " << name << ": no such group\n";
            return EX_USAGE;
        }
        server_options.socket_group = g->gr_gid;
    }

    // The configuration decides where to log; a broken one still gets logged (to syslog or
    // --log) and the daemon serves TEMP until SIGHUP brings a good one.
    std::optional<Config> config;
    std::string config_problem;
    try {
        config = load_config(config_path);
    } catch (const ConfigError& e) {
        config_problem = e.what();
    }
    const std::string log_target = vm["log"].as<std::string>();
    std::unique_ptr<Logger> log = make_logger(log_target, config ? &*config : nullptr);
    LogLevel level = config ? config->log_level : LogLevel::info;
    log->set_threshold(vm.count("verbose") ? LogLevel::debug : level);
    std::shared_ptr<Service> service =
        config ? std::shared_ptr<Service>(Service::open(*config, *log).release())
               : open_service(config_path, *log);
    if (!config_problem.empty())
        std::cerr << "vmaildir-postfix: configuration error, answering TEMP until fixed: "
                  << config_problem << "\n";
    ServiceHolder holder(service);

    // Signals go to one thread that waits for them; every other thread blocks them.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGTERM, SIGINT, SIGHUP})
        sigaddset(&signals, s);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    signal(SIGPIPE, SIG_IGN);

    Server server(server_options, holder, *log);
    try {
        server.bind();
    } catch (const std::exception& e) {
        log->error(std::string("cannot listen: ") + e.what());
        std::cerr << "vmaildir-postfix: cannot listen: " << e.what() << "\n";
        return EX_OSERR;
    }
    if (!drop_privileges(vm["user"].as<std::string>(), *log))
        return EX_OSERR;
    std::string where;
    for (const ListenSpec& l : server_options.listeners)
        where += (where.empty() ? "" : ", ") + l.text;
    log->info("serving " + service->describe() + " on " + where);

    std::thread signal_thread([&] {
        while (true) {
            int sig = 0;
            if (sigwait(&signals, &sig) != 0)
                continue;
            if (sig == SIGHUP) {
                try {
                    Config fresh = load_config(config_path);
                    holder.replace(std::shared_ptr<Service>(Service::open(fresh, *log).release()));
                    log->info("configuration reloaded from " + config_path);
                } catch (const ConfigError& e) {
                    log->error(std::string("reload refused, keeping the running configuration: ") +
                               e.what());
                }
                continue;
            }
            log->info("stopping on signal " + std::to_string(sig));
            server.stop();
            return;
        }
    });
    server.run();
    // run() also returns on its own after a fatal poll error: wake the signal thread then.
    pthread_kill(signal_thread.native_handle(), SIGTERM);
    signal_thread.join();
    return 0;
} catch (const std::exception& e) {
    std::cerr << "vmaildir-postfix: internal error: " << e.what() << "\n";
    return EX_SOFTWARE;
}
