// The daemon skeleton (vmaildir/daemon/daemon.hpp).
#include "vmaildir/daemon/daemon.hpp"

#include "vmaildir/config/config.hpp"
#include "vmaildir/daemon/privileges.hpp"
#include "vmaildir/daemon/signals.hpp"
#include "vmaildir/service/bootstrap.hpp"

#include <charconv>
#include <grp.h>
#include <iostream>
#include <sysexits.h>

namespace vmaildir::daemon {

namespace {

/// A decimal count from 1 to `max`, or nothing.
std::optional<unsigned long> count(const std::string& text, unsigned long max) {
    unsigned long n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || n < 1 || n > max)
        return std::nullopt;
    return n;
}

/// An octal file mode of at most 0777 ("0660", "660"), or nothing.
std::optional<mode_t> octal_mode(const std::string& text) {
    unsigned long n = 0;
    for (char c : text) {
        if (c < '0' || c > '7')
            return std::nullopt;
        n = n * 8 + static_cast<unsigned long>(c - '0');
        if (n > 0777)
            return std::nullopt;
    }
    if (text.empty())
        return std::nullopt;
    return static_cast<mode_t>(n);
}

} // namespace

std::vector<Option> daemon_options(const DaemonDefaults& d) {
    using K = Option::Kind;
    std::vector<Option> options = {
        {"config,c", K::value, "configuration file", std::string(default_config_path)},
        {"user,u", K::value, "run as this user once the listeners are open (when started as root)",
         d.user},
        {"socket-group", K::value, "group of the unix sockets", d.socket_group},
        {"socket-mode", K::value,
         "permissions of the unix sockets (octal; a mode letting every user write, such as "
         "0666, needs --allow-world-writable)",
         d.socket_mode},
        {"allow-world-writable", K::flag,
         "accept a --socket-mode that lets every local user connect", std::nullopt},
        {"max-connections", K::value,
         "most client connections at once on each listener; at the limit the one idle longest "
         "is closed for a new one",
         "1000"},
        {"idle-timeout", K::value, "seconds before an idle connection is closed", d.idle_timeout},
        {"request-timeout", K::value,
         "seconds a request may take from its first byte until it is whole", "10"},
        {"log", K::value, "syslog or stderr (default: the configuration's `log`)", ""},
        {"verbose,v", K::flag, "log every lookup", std::nullopt},
    };
    if (!d.own_server)
        std::erase_if(options, [](const Option& o) {
            return o.names == "max-connections" || o.names == "request-timeout";
        });
    return options;
}

std::variant<DaemonSettings, std::string> daemon_settings(const CommandLine& cl) {
    DaemonSettings s;
    s.config_path = cl.value("config");
    s.user = cl.value("user");
    s.verbose = cl.has("verbose");
    s.log_target = cl.value("log");
    if (!s.log_target.empty() && s.log_target != "syslog" && s.log_target != "stderr")
        return "--log " + s.log_target + ": expected syslog or stderr";

    auto mode = octal_mode(cl.value("socket-mode"));
    if (!mode)
        return "--socket-mode " + cl.value("socket-mode") +
               ": expected an octal mode of at most 0777, such as 0660";
    if ((*mode & 0002) && !cl.has("allow-world-writable"))
        return "--socket-mode " + cl.value("socket-mode") +
               ": every local user could connect and ask the directory; use a group "
               "(--socket-group) or say --allow-world-writable";
    s.sockets.mode = *mode;

    if (std::string name = cl.value("socket-group"); !name.empty()) {
        struct group* g = getgrnam(name.c_str());
        if (!g)
            return "--socket-group " + name + ": no such group";
        s.sockets.group = g->gr_gid;
    }
    if (std::string max = cl.value("max-connections"); !max.empty()) {
        auto connections = count(max, 1'000'000);
        if (!connections)
            return "--max-connections " + max + ": expected a number from 1 to 1000000";
        s.limits.max_connections = *connections;
    }
    auto idle = count(cl.value("idle-timeout"), 86'400);
    if (!idle)
        return "--idle-timeout " + cl.value("idle-timeout") + ": expected seconds from 1 to 86400";
    s.limits.idle_timeout = std::chrono::seconds(*idle);
    if (std::string request = cl.value("request-timeout"); !request.empty()) {
        auto seconds = count(request, 3'600);
        if (!seconds)
            return "--request-timeout " + request + ": expected seconds from 1 to 3600";
        s.limits.request_timeout = std::chrono::seconds(*seconds);
    }
    return s;
}

int run_daemon(const Program& program, const DaemonSettings& settings,
               std::vector<Endpoint> listeners, ConnectionHandler handler) {
    // Signals go to one thread that waits for them; every other thread blocks them.
    block_daemon_signals();

    // The configuration decides where to log; a broken one still gets logged (to syslog or
    // --log) and the daemon serves temporary failures until SIGHUP brings a good one.
    Bootstrap boot(settings.config_path,
                   {program.name, settings.log_target, "syslog",
                    settings.verbose ? std::optional<LogLevel>(LogLevel::debug) : std::nullopt});
    Logger& log = boot.log();
    if (!boot.problem().empty()) {
        log.error("configuration unusable, answering every lookup with a temporary failure: " +
                  boot.problem());
        std::cerr << program.name << ": configuration error, answering every lookup with a "
                  << "temporary failure until it is fixed: " << boot.problem() << "\n";
    }
    ServiceHolder services(boot.open());

    std::string where;
    for (const Endpoint& e : listeners)
        where += (where.empty() ? "" : ", ") + e.text;
    Server server(std::move(listeners), settings.sockets, settings.limits, services,
                  std::move(handler), log);
    if (!user_known(settings.user, log))
        return EX_OSERR;
    try {
        server.bind();
    } catch (const std::exception& e) {
        log.error(std::string("cannot listen: ") + e.what());
        std::cerr << program.name << ": cannot listen: " << e.what() << "\n";
        return EX_OSERR;
    }
    if (!drop_privileges(settings.user, log))
        return EX_OSERR;
    log.info("serving " + services.current()->describe() + " on " + where);

    SignalWatcher signals(
        [&] {
            if (auto fresh = boot.reload()) {
                services.replace(std::move(fresh));
                log.info("configuration reloaded from " + boot.path());
            }
        },
        [&](int sig) {
            log.info("stopping on signal " + std::to_string(sig));
            server.stop();
        });
    server.run();
    return 0;
}

} // namespace vmaildir::daemon
