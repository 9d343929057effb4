// vmaildir-replica(8): the one content-sync consumer of a host.  It copies the
// mail entries below search_base from the LDAP provider into the local store
// named by `replica` in vmaildir.conf and keeps it current; every adapter on
// the host configured with the same `replica` answers from that store.
#include "pipeline.hpp"
#include "replicator.hpp"
#include "vmaildir/daemon/command_line.hpp"
#include "vmaildir/daemon/privileges.hpp"
#include "vmaildir/daemon/signals.hpp"
#include "vmaildir/ldap/sync.hpp"
#include "vmaildir/replica/scope.hpp"
#include "vmaildir/replica/settings.hpp"
#include "vmaildir/service/bootstrap.hpp"
#include "vmaildir/service/config_file.hpp"

#include <atomic>
#include <ctime>
#include <grp.h>
#include <iostream>
#include <memory>
#include <sysexits.h>
#include <thread>
#include <unistd.h>

using namespace vmaildir;
using namespace vmaildir::replica;

namespace {

constexpr const char* usage_text = R"(Usage: vmaildir-replica [OPTIONS]

Keeps a local copy of the mail entries below search_base, for every vmaildir
adapter on this host (Postfix, Courier, Exim, the milter, the vmaildir tool):
those configured with `replica = DIR` answer from the copy in DIR, so a
lookup makes no LDAP search, a change in the directory reaches all of them
within a second, and mail and logins go on while the LDAP server is down (for
replica_max_stale).

It holds one RFC 4533 content-synchronisation session (refreshAndPersist)
with the first server in server_host that answers, and resumes after a
restart or a lost connection from its stored cookie, so that only the changes
since are sent.  The provider needs OpenLDAP's syncprov overlay (or another
RFC 4533 server).  Until the first refresh is complete, and whenever the
store is missing or damaged, the adapters answer "try again later", never
"not found".

Signals: SIGTERM/SIGINT stop cleanly; SIGHUP rereads the configuration and
starts a new session (a broken new configuration is logged and the old one
kept).

Options:
)";

constexpr const char* exit_text = R"(
The store's files are given --group (data.mdb 0640, lock.mdb 0660): every
adapter's user must be in that group, since LMDB readers write their slot
into lock.mdb.

Exit status: 0 after SIGTERM, or after --once; 64 usage error; 70 the store
cannot be opened; 71 privileges could not be dropped; 75 (--once) the refresh
did not complete; 78 the configuration is broken at start, or sets no
`replica = DIR` (a broken configuration on SIGHUP is logged and the running
one kept).
)";

daemon::Program program() {
    using K = daemon::Option::Kind;
    return {"vmaildir-replica",
            usage_text,
            exit_text,
            {{"config,c", K::value, "the configuration file", default_config_path},
             {"user,u", K::value,
              "run as this user once the store is open (\"\" keeps the current one)", "vmaildir"},
             {"group,g", K::value,
              "the group of the store's files: the adapters' users must be in it (\"\": the "
              "files stay private to --user)",
              "vmaildir"},
             {"once", K::flag, "refresh once (refreshOnly), then exit", std::nullopt},
             {"poll", K::value,
              "for a provider without refreshAndPersist: refresh (refreshOnly) every this many "
              "seconds instead of holding a persistent session",
              std::nullopt},
             {"log", K::value, "where to log: syslog or stderr (default: the configuration's log)",
              std::nullopt},
             {"verbose,v", K::flag, "log at debug level", std::nullopt}},
            false};
}

std::atomic<bool> stop{false};
std::atomic<bool> reload{false};

/// Sleeps up to `seconds`, returning early when asked to stop or reload.
void pause(int seconds) {
    for (int i = 0; i < seconds * 10 && !stop && !reload; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
}

} // namespace

int main(int argc, char** argv) try {
    const daemon::Program p = program();
    int status = 0;
    auto cl = daemon::CommandLine::parse(p, argc, argv, status);
    if (!cl)
        return status;
    std::string log_target = cl->value("log");
    if (!log_target.empty() && log_target != "syslog" && log_target != "stderr")
        return daemon::usage_error(p, "--log " + log_target + ": expected syslog or stderr");
    StoreAccess access;
    if (std::string group = cl->value("group"); !group.empty()) {
        struct group* g = getgrnam(group.c_str());
        if (!g)
            return daemon::usage_error(p, "--group " + group + ": no such group");
        access.group = g->gr_gid;
    }
    const bool once = cl->has("once");
    int poll = 0;
    if (cl->has("poll")) {
        try {
            std::size_t used = 0;
            poll = std::stoi(cl->value("poll"), &used);
            if (used != cl->value("poll").size() || poll < 1 || poll > 86400)
                throw std::invalid_argument("range");
        } catch (const std::exception&) {
            return daemon::usage_error(p, "--poll " + cl->value("poll") +
                                              ": expected seconds from 1 to 86400");
        }
    }

    if (!once)
        daemon::block_daemon_signals();
    Bootstrap boot(cl->value("config"),
                   {p.name, log_target, "syslog",
                    cl->has("verbose") ? std::optional<LogLevel>(LogLevel::debug) : std::nullopt});
    Logger& log = boot.log();
    if (!boot.problem().empty()) {
        std::cerr << p.name << ": " << boot.problem() << "\n";
        log.error("configuration unusable: " + boot.problem());
        return EX_CONFIG;
    }
    Config config = *boot.config();
    const ReplicaSettings* settings = replica_settings(config);
    if (!settings) {
        std::cerr << p.name << ": " << boot.path() << " sets no `replica = DIR`: nothing to keep\n";
        return EX_CONFIG;
    }
    std::string path = settings->path;

    std::unique_ptr<StoreWriter> store;
    auto open_store = [&]() -> bool {
        try {
            ReplicaScope scope = replica_scope(config);
            store = std::make_unique<StoreWriter>(path, scope.layout, access);
            if (!store->rebuilt_because().empty())
                log.warning("store " + path +
                            " emptied, to be filled again: " + store->rebuilt_because());
            return true;
        } catch (const StoreError& e) {
            log.error(std::string("cannot open the store: ") + e.what());
            std::cerr << p.name << ": cannot open the store: " << e.what() << "\n";
            return false;
        }
    };
    if (!open_store())
        return EX_SOFTWARE;
    if (std::string user = cl->value("user"); !user.empty() && !daemon::drop_privileges(user, log))
        return EX_OSERR;

    std::unique_ptr<daemon::SignalWatcher> signals;
    if (!once)
        signals = std::make_unique<daemon::SignalWatcher>([] { reload = true; },
                                                          [&log](int sig) {
                                                              log.info("stopping on signal " +
                                                                       std::to_string(sig));
                                                              stop = true;
                                                          });

    log.info("keeping " + path + " a copy of " + config.search_base);
    int backoff = 1;
    unsigned long rounds = 0; ///< sessions so far (--poll: the first is logged in full)
    std::string last_reason;  ///< of the last logged failure
    std::time_t last_logged = 0;
    while (!stop) {
        if (reload.exchange(false)) {
            try {
                Config fresh = load_config(boot.path());
                if (!replica_settings(fresh))
                    throw ConfigError(boot.path(), 0, "replica", "no longer set");
                config = std::move(fresh);
                path = replica_settings(config)->path;
                store.reset();
                if (!open_store())
                    return EX_SOFTWARE;
                log.info("configuration reloaded from " + boot.path());
            } catch (const ConfigError& e) {
                log.error(std::string("reload refused, keeping the running configuration: ") +
                          e.what());
            }
        }
        ReplicaScope scope = replica_scope(config);
        Replicator replicator(*store, log, 10000, poll > 0 && rounds++ > 0);
        ldap::SyncRequest request{scope.layout.base, scope.attributes, store->cookie(),
                                  !once && poll == 0};
        std::atomic<bool> session_stop{false};
        ldap::SyncEnd end;
        {
            // The session ends on stop or reload: the watcher only sets flags.
            // Stopped and joined when the block is left, by a store failure too.
            std::jthread relay([&](const std::stop_token& done) {
                while (!done.stop_requested() && !session_stop && !stop && !reload)
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                session_stop = true;
            });
            SyncPipeline pipeline(replicator); // decoding and writing on two threads
            end = ldap::run_sync(config, request, pipeline, session_stop, log);
            pipeline.finish(); // throws what the store failed with, if it did
        }

        if (replicator.store_lost()) {
            store.reset();
            if (!open_store())
                return EX_SOFTWARE;
            continue;
        }
        switch (end.why) {
        case ldap::SyncEnd::Why::stopped:
            last_reason.clear();
            break;
        case ldap::SyncEnd::Why::refreshed:
            if (once)
                return 0;
            pause(poll); // --poll: the next refreshOnly round
            break;
        case ldap::SyncEnd::Why::refresh_required: {
            log.warning("refresh required by " + end.provider + ": " + end.reason +
                        "; refreshing in full");
            auto b = store->begin();
            b.clear_cookie();
            b.commit();
            continue;
        }
        case ldap::SyncEnd::Why::lost:
            if (replicator.refreshed()) {
                backoff = 1; // it worked for a while: try again at once
                last_reason.clear();
            }
            // Logged when the reason changes, and then once a minute with the copy's age
            // (not at every retry: an outage of hours would fill the log).
            if (end.reason != last_reason || std::time(nullptr) - last_logged >= 60) {
                StoreStatus st = store->status();
                long long age = static_cast<long long>(std::time(nullptr)) - st.synced_at;
                log.warning(
                    "sync session " + (end.provider.empty() ? "" : "with " + end.provider + " ") +
                    "ended: " + end.reason +
                    (st.ready
                         ? "; answering from the copy, last current " + std::to_string(age) +
                               "s ago (replica_max_stale " +
                               std::to_string(replica_settings(config)->max_stale.count()) + "s)"
                         : "; the copy is not filled yet") +
                    "; retrying every few seconds (logged again each minute)");
                last_reason = end.reason;
                last_logged = std::time(nullptr);
            }
            if (once)
                return EX_TEMPFAIL;
            pause(backoff);
            backoff = std::min(backoff * 2, 5);
            continue;
        }
        backoff = 1;
    }
    return 0;
} catch (const std::exception& e) {
    std::cerr << "vmaildir-replica: internal error: " << e.what() << "\n";
    return EX_SOFTWARE;
}
