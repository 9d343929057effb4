// lmdb: tables for virtual(8) from the replica (lmdb_tables.hpp).
#include "lmdb_tables.hpp"

#include "vmaildir/daemon/signals.hpp"
#include "vmaildir/replica/settings.hpp"
#include "vmaildir/replica/store.hpp"
#include "vmaildir/service/bootstrap.hpp"
#include "vmaildir/util/text.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <sys/wait.h>
#include <sysexits.h>
#include <thread>

namespace vmaildir::postfix {

namespace {

namespace fs = std::filesystem;

std::string shell_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s)
        out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

/// A key postmap's input format can carry: no whitespace, nothing unprintable.
bool plain(const std::string& s) {
    if (s.empty())
        return false;
    for (unsigned char c : s)
        if (c <= ' ' || c == 0x7f)
            return false;
    return true;
}

/// A value it can carry: the rest of the line, blanks inside kept (a mailbox path with a
/// space), but none at either end (postmap trims them) and nothing unprintable.
bool plain_value(const std::string& s) {
    if (s.empty() || s.front() == ' ' || s.back() == ' ')
        return false;
    for (unsigned char c : s)
        if (c < ' ' || c == 0x7f)
            return false;
    return true;
}

} // namespace

LmdbTables::LmdbTables(Service& service, LmdbTableSettings settings, Logger& log)
    : service_(service), settings_(std::move(settings)), log_(log) {
    tables_.push_back({MapName::mailbox, "mailbox", {}});
    if (!service_.config().static_uid)
        tables_.push_back({MapName::uid, "uid", {}});
    if (!service_.config().static_gid)
        tables_.push_back({MapName::gid, "gid", {}});
}

bool LmdbTables::postmap(const std::string& args, const std::string& input) {
    std::string command =
        "postmap -c " + shell_quoted(settings_.postfix_config) + " " + args + " 2>&1";
    FILE* pipe = popen(command.c_str(), "w");
    if (!pipe) {
        log_.error("cannot run postmap: " + command);
        return false;
    }
    fwrite(input.data(), 1, input.size(), pipe);
    int status = pclose(pipe);
    // postmap -d exits 1 when a key was not there: only the caller's known keys are deleted.
    bool ok = status != -1 && WIFEXITED(status) &&
              (WEXITSTATUS(status) == 0 || (args.rfind("-d", 0) == 0 && WEXITSTATUS(status) == 1));
    if (!ok)
        log_.error("postmap failed (status " + std::to_string(status) + "): " + command);
    return ok;
}

bool LmdbTables::rebuild() {
    auto status = replica::read_store_status(settings_.store);
    if (!status.is_found() || !status.value().ready) {
        log_.warning("tables not rebuilt: " +
                     (status.is_found() ? "the replica is not filled yet" : status.reason()));
        return false;
    }
    std::uint64_t generation = status.value().generation; // changes after it come as a delta
    auto accounts = service_.accounts();
    if (!accounts.is_found()) {
        log_.warning("tables not rebuilt: " + accounts.reason());
        return false;
    }
    for (Table& t : tables_) {
        std::unordered_map<std::string, std::string> rows;
        for (const Account& a : accounts.value()) {
            auto r = service_.lookup(t.map, a.address);
            if (r.is_temp_fail()) {
                log_.warning("tables not rebuilt: " + r.reason());
                return false;
            }
            std::string key = util::ascii_lower(a.address);
            if (!r.is_found())
                continue;
            if (plain(key) && plain_value(r.value().front()))
                rows[key] = r.value().front();
            else
                log_.warning(std::string(to_string(t.map)) + " of " + util::printable(key) +
                             " cannot be written to an lmdb table (blanks or control "
                             "characters): virtual(8) will not find it");
        }
        std::string text;
        for (const auto& [k, v] : rows)
            text += k + " " + v + "\n";
        std::string fresh = path(t) + ".new";
        {
            std::ofstream out(fresh, std::ios::trunc);
            out << text;
            if (!out)
                return false;
        }
        if (!postmap("lmdb:" + shell_quoted(fresh), ""))
            return false;
        std::error_code ec;
        fs::rename(fresh + ".lmdb", path(t) + ".lmdb", ec);
        fs::remove(fresh);
        if (ec) {
            log_.error("cannot put " + path(t) + ".lmdb in place: " + ec.message());
            return false;
        }
        t.rows = std::move(rows);
    }
    generation_ = generation;
    built_ = true;
    log_.info("tables written in " + settings_.directory + ": " +
              std::to_string(tables_.front().rows.size()) + " mailboxes (store generation " +
              std::to_string(generation) + ")");
    return true;
}

bool LmdbTables::apply(const std::vector<std::string>& addresses) {
    for (Table& t : tables_) {
        std::string upserts, deletes;
        std::vector<std::pair<std::string, std::string>> now;
        for (const std::string& address : addresses) {
            auto r = service_.lookup(t.map, address);
            if (r.is_temp_fail()) {
                log_.warning("tables not updated: " + r.reason());
                return false;
            }
            std::string value = r.is_found() ? r.value().front() : "";
            auto it = t.rows.find(address);
            if (!value.empty() && !(plain(address) && plain_value(value)))
                log_.warning(std::string(to_string(t.map)) + " of " + util::printable(address) +
                             " cannot be written to an lmdb table (blanks or control "
                             "characters): virtual(8) will not find it");
            if (!value.empty() && plain(address) && plain_value(value)) {
                if (it == t.rows.end() || it->second != value)
                    upserts += address + " " + value + "\n";
                now.emplace_back(address, value);
            } else if (it != t.rows.end()) {
                deletes += address + "\n";
                now.emplace_back(address, "");
            }
        }
        if (!upserts.empty() && !postmap("-i -r lmdb:" + shell_quoted(path(t)), upserts))
            return false;
        if (!deletes.empty() && !postmap("-d - lmdb:" + shell_quoted(path(t)), deletes))
            return false;
        for (auto& [k, v] : now) {
            if (v.empty())
                t.rows.erase(k);
            else
                t.rows[k] = v;
        }
    }
    return true;
}

bool LmdbTables::update() {
    if (!built_)
        return rebuild();
    auto changes = replica::read_changes(settings_.store, generation_);
    if (!changes.is_found()) {
        log_.warning("tables not updated: " + changes.reason());
        return false;
    }
    const replica::StoreChanges& c = changes.value();
    if (c.generation == generation_)
        return true;
    if (!c.complete)
        return rebuild();
    const Schema& s = service_.config().schema;
    if (s.address_form != AddressForm::full_address)
        return rebuild(); // an address is a local part and a domain found elsewhere
    std::set<std::string> addresses;
    for (const auto& [attribute, value] : c.keys) {
        if (util::iequals(attribute, s.domain_attribute) ||
            util::iequals(attribute, s.entry_domain_attribute))
            return rebuild(); // a domain changed: every address in it may answer differently
        if (util::iequals(attribute, s.account_address_attribute) &&
            value.find('@') != std::string::npos)
            addresses.insert(value);
    }
    if (!apply({addresses.begin(), addresses.end()}))
        return false;
    generation_ = c.generation;
    return true;
}

int write_lmdb_tables(const std::string& config_path, const std::string& directory,
                      const std::string& postfix_config, bool follow,
                      const std::string& log_target) {
    if (follow)
        daemon::block_daemon_signals();
    Bootstrap boot(config_path, {"vmaildir-postfix", log_target, "syslog", std::nullopt});
    if (!boot.problem().empty()) {
        std::cerr << "vmaildir-postfix: configuration error: " << boot.problem() << "\n";
        return EX_CONFIG;
    }
    const replica::ReplicaSettings* replica = replica::replica_settings(*boot.config());
    if (!replica) {
        std::cerr << "vmaildir-postfix: lmdb-tables needs `replica = DIR` in " << config_path
                  << " (without a replica, use ldap-tables)\n";
        return EX_CONFIG;
    }
    std::error_code ec;
    fs::create_directories(directory, ec);
    auto service = boot.open();
    LmdbTables tables(*service, {directory, postfix_config, replica->path}, boot.log());
    if (!follow) {
        for (int attempt = 0; attempt < 50 && !tables.update(); ++attempt)
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return tables.generation() > 0 ? 0 : EX_TEMPFAIL;
    }
    std::atomic<bool> stop{false};
    daemon::SignalWatcher signals([] {}, [&](int) { stop = true; });
    boot.log().info("following " + replica->path + " into " + directory);
    while (!stop) {
        tables.update();
        for (int i = 0; i < 10 && !stop; ++i) // 100 ms between looks at the change feed
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return 0;
}

} // namespace vmaildir::postfix
