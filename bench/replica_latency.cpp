// replica_latency -- change-to-visible latency of the replica
// (bench/run-replica-bench, issue #12): how long after a change is made at
// the LDAP provider an adapter reading the replica store sees it.
//
//   replica_latency -c CONF -H URI -b BASE -D DN -y PWFILE -k CHANGE_KEYS
//                   [-n CHANGES] [-l LOOKUP_KEYS] [-t THREADS] [-p POLL_US]
//                   [-T TIMEOUT_MS] [-o OUT]
//
// CONF is a vmaildir.conf with `replica = DIR`, opened in this process as every
// adapter opens it (Bootstrap, Service, its default answer caches), while
// vmaildir-replica keeps DIR current in persist mode.  For each of CHANGES
// accounts, taken in turn from CHANGE_KEYS (one address per line; the first
// CHANGES lines, each address changed once), it
//   1. checks that the account is found in the replica (the mailbox map);
//   2. replaces its `mailbox` at the provider with a new value, on one LDAP
//      connection bound as DN (ldap_modify_ext_s, 10 s timeout): "sent" is
//      just before the request, "acknowledged" when slapd's answer is back;
//   3. looks the address up every POLL_US microseconds (default 1000) until
//      the new value is the answer ("visible"), for at most TIMEOUT_MS
//      (default 10000; longer counts as missed).
// Meanwhile THREADS threads (default 1) look up LOOKUP_KEYS (default
// CHANGE_KEYS) in a loop on the same Service, as an adapter under load does.
//
// Prints on stdout one line of KEY=VALUE fields for the script:
//   replica_latency: changes=N visible=V missed=M
//     sent_p50_ms= sent_p99_ms= sent_max_ms=   (sent -> visible)
//     ack_p50_ms= ack_p99_ms= ack_max_ms=      (acknowledged -> visible)
//     modify_p50_ms= modify_p99_ms=            (sent -> acknowledged)
//     lookups= lookups_per_s= lookup_tempfail= seconds=
// and with -o, one line per change: "ADDRESS SENT_US ACK_US MODIFY_US" (-1:
// never visible).  Exit 0; 1 when a change could not be made or an account
// was not in the replica to begin with; 64 on usage.
//
// The latency includes the provider's own write (syncprov sends the change
// only after its commit), the sync message, vmaildir-replica's commit to the
// store, and the reader noticing the new generation; its resolution is the
// poll interval plus one lookup.
#include "vmaildir/service/bootstrap.hpp"
#include "vmaildir/service/service.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <ldap.h>
#include <memory>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace vmaildir;
using Clock = std::chrono::steady_clock;

namespace {

struct LdapFree {
    void operator()(LDAP* ld) const noexcept { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
using LdapHandle = std::unique_ptr<LDAP, LdapFree>;

int usage() {
    std::fprintf(stderr,
                 "usage: replica_latency -c CONF -H URI -b BASE -D DN -y PWFILE -k CHANGE_KEYS\n"
                 "                       [-n CHANGES] [-l LOOKUP_KEYS] [-t THREADS] [-p POLL_US]\n"
                 "                       [-T TIMEOUT_MS] [-o OUT]\n");
    return 64;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::vector<std::string> out;
    std::ifstream in(path);
    for (std::string line; std::getline(in, line);)
        if (!line.empty())
            out.push_back(line);
    return out;
}

/// A connection bound as `dn`, or null (the reason on stderr).
LdapHandle connect(const std::string& uri, const std::string& dn, const std::string& password) {
    LDAP* raw = nullptr;
    if (ldap_initialize(&raw, uri.c_str()) != LDAP_SUCCESS || !raw) {
        std::fprintf(stderr, "replica_latency: bad URI %s\n", uri.c_str());
        return nullptr;
    }
    LdapHandle ld(raw);
    int version = LDAP_VERSION3;
    ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version);
    timeval connect_timeout{5, 0};
    ldap_set_option(ld.get(), LDAP_OPT_NETWORK_TIMEOUT, &connect_timeout);
    std::string pw = password;
    berval cred{static_cast<ber_len_t>(pw.size()), pw.data()};
    int rc =
        ldap_sasl_bind_s(ld.get(), dn.c_str(), LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        std::fprintf(stderr, "replica_latency: bind as %s: %s\n", dn.c_str(), ldap_err2string(rc));
        return nullptr;
    }
    return ld;
}

/// Replaces the mailbox of `dn` with `value`; the LDAP result code.
int replace_mailbox(LDAP* ld, const std::string& dn, const std::string& value) {
    std::string v = value;
    char attribute[] = "mailbox";
    char* values[] = {v.data(), nullptr};
    LDAPMod mod{};
    mod.mod_op = LDAP_MOD_REPLACE;
    mod.mod_type = attribute;
    mod.mod_values = values;
    LDAPMod* mods[] = {&mod, nullptr};
    // ldap_modify_ext_s has no timeout argument: LDAP_OPT_TIMEOUT bounds it (set in main).
    return ldap_modify_ext_s(ld, dn.c_str(), mods, nullptr, nullptr);
}

double ms(long us) {
    return static_cast<double>(us) / 1000.0;
}

/// Nearest-rank percentile of sorted values (p in 0..1).
long percentile(const std::vector<long>& sorted, double p) {
    if (sorted.empty())
        return -1;
    auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size(), std::max<std::size_t>(rank, 1)) - 1];
}

long micros(Clock::duration d) {
    return static_cast<long>(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}

} // namespace

int main(int argc, char** argv) try {
    std::string config, uri, base, dn, password_file, change_keys, lookup_keys, out_path;
    long changes = 1000, poll_us = 1000, timeout_ms = 10000;
    int threads = 1;
    for (int opt; (opt = getopt(argc, argv, "c:H:b:D:y:k:n:l:t:p:T:o:")) != -1;) {
        switch (opt) {
        case 'c':
            config = optarg;
            break;
        case 'H':
            uri = optarg;
            break;
        case 'b':
            base = optarg;
            break;
        case 'D':
            dn = optarg;
            break;
        case 'y':
            password_file = optarg;
            break;
        case 'k':
            change_keys = optarg;
            break;
        case 'n':
            changes = std::stol(optarg);
            break;
        case 'l':
            lookup_keys = optarg;
            break;
        case 't':
            threads = std::stoi(optarg);
            break;
        case 'p':
            poll_us = std::stol(optarg);
            break;
        case 'T':
            timeout_ms = std::stol(optarg);
            break;
        case 'o':
            out_path = optarg;
            break;
        default:
            return usage();
        }
    }
    if (config.empty() || uri.empty() || base.empty() || dn.empty() || password_file.empty() ||
        change_keys.empty() || optind != argc || changes < 1 || threads < 0 || poll_us < 0)
        return usage();
    std::vector<std::string> targets = read_lines(change_keys);
    std::vector<std::string> background =
        read_lines(lookup_keys.empty() ? change_keys : lookup_keys);
    if (targets.size() < static_cast<std::size_t>(changes)) {
        std::fprintf(stderr, "replica_latency: %s has %zu addresses, fewer than %ld changes\n",
                     change_keys.c_str(), targets.size(), changes);
        return 64;
    }
    targets.resize(static_cast<std::size_t>(changes));
    std::string password;
    {
        std::ifstream in(password_file);
        std::getline(in, password);
    }

    Bootstrap boot(config, {"replica_latency", "stderr", "stderr", LogLevel::warning});
    if (!boot.problem().empty()) {
        std::fprintf(stderr, "replica_latency: %s\n", boot.problem().c_str());
        return 64;
    }
    std::unique_ptr<Service> service = boot.open();
    if (service->describe().rfind("replica:", 0) != 0) {
        std::fprintf(stderr, "replica_latency: %s does not answer from a replica (%s)\n",
                     config.c_str(), service->describe().c_str());
        return 64;
    }
    LdapHandle ld = connect(uri, dn, password);
    if (!ld)
        return 1;
    timeval op_timeout{10, 0};
    ldap_set_option(ld.get(), LDAP_OPT_TIMEOUT, &op_timeout);

    // Every account must be in the replica before its change (else "visible" means nothing).
    for (const std::string& address : targets) {
        auto r = service->lookup(MapName::mailbox, address);
        if (!r.is_found()) {
            std::fprintf(stderr, "replica_latency: %s is not in the replica: %s\n", address.c_str(),
                         r.reason().c_str());
            return 1;
        }
    }

    std::atomic<bool> stop{false};
    std::atomic<long> lookups{0}, tempfails{0};
    std::vector<std::thread> workers;
    auto began = Clock::now();
    for (int t = 0; t < threads && !background.empty(); ++t)
        workers.emplace_back([&, t] {
            long n = 0, failed = 0;
            for (std::size_t i = static_cast<std::size_t>(t) * 7919 % background.size(); !stop;
                 i = (i + 1) % background.size()) {
                if (service->lookup(MapName::mailbox, background[i]).is_temp_fail())
                    ++failed;
                ++n;
            }
            lookups += n;
            tempfails += failed;
        });

    struct Sample {
        long sent = -1, ack = -1, modify = -1;
    };
    std::vector<Sample> samples;
    samples.reserve(targets.size());
    int failures = 0;
    for (std::size_t i = 0; i < targets.size(); ++i) {
        const std::string& address = targets[i];
        std::size_t at = address.find('@');
        std::string domain = address.substr(at + 1);
        std::string value = domain + "/" + address.substr(0, at) + "/r" + std::to_string(i) + "/";
        std::string entry_dn = "mail=" + address + ",jvd=" + domain + "," + base;
        Sample s;
        auto sent = Clock::now();
        int rc = replace_mailbox(ld.get(), entry_dn, value);
        auto acked = Clock::now();
        if (rc != LDAP_SUCCESS) {
            std::fprintf(stderr, "replica_latency: modify %s: %s\n", entry_dn.c_str(),
                         ldap_err2string(rc));
            if (++failures >= 3)
                break;
            continue;
        }
        s.modify = micros(acked - sent);
        auto deadline = sent + std::chrono::milliseconds(timeout_ms);
        for (;;) {
            auto r = service->lookup(MapName::mailbox, address);
            auto now = Clock::now();
            if (r.is_found() && !r.value().empty() && r.value().front() == value) {
                s.sent = micros(now - sent);
                s.ack = micros(now - acked);
                break;
            }
            if (now >= deadline)
                break;
            std::this_thread::sleep_for(std::chrono::microseconds(poll_us));
        }
        samples.push_back(s);
    }
    stop = true;
    for (std::thread& w : workers)
        w.join();
    double seconds = std::chrono::duration<double>(Clock::now() - began).count();

    std::vector<long> sent, ack, modify;
    for (const Sample& s : samples) {
        modify.push_back(s.modify);
        if (s.sent >= 0) {
            sent.push_back(s.sent);
            ack.push_back(s.ack);
        }
    }
    if (!out_path.empty()) {
        std::ofstream out(out_path);
        for (std::size_t i = 0; i < samples.size(); ++i)
            out << targets[i] << ' ' << samples[i].sent << ' ' << samples[i].ack << ' '
                << samples[i].modify << '\n';
    }
    std::sort(sent.begin(), sent.end());
    std::sort(ack.begin(), ack.end());
    std::sort(modify.begin(), modify.end());
    std::printf("replica_latency: changes=%zu visible=%zu missed=%zu "
                "sent_p50_ms=%.1f sent_p99_ms=%.1f sent_max_ms=%.1f "
                "ack_p50_ms=%.1f ack_p99_ms=%.1f ack_max_ms=%.1f "
                "modify_p50_ms=%.1f modify_p99_ms=%.1f "
                "lookups=%ld lookups_per_s=%.0f lookup_tempfail=%ld seconds=%.1f\n",
                samples.size(), sent.size(), samples.size() - sent.size(),
                ms(percentile(sent, 0.50)), ms(percentile(sent, 0.99)),
                ms(sent.empty() ? -1 : sent.back()), ms(percentile(ack, 0.50)),
                ms(percentile(ack, 0.99)), ms(ack.empty() ? -1 : ack.back()),
                ms(percentile(modify, 0.50)), ms(percentile(modify, 0.99)), lookups.load(),
                seconds > 0 ? static_cast<double>(lookups.load()) / seconds : 0.0, tempfails.load(),
                seconds);
    return failures ? 1 : 0;
} catch (const std::exception& e) {
    std::fprintf(stderr, "replica_latency: %s\n", e.what());
    return 1;
}
