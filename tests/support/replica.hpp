// vmaildir-replica for the integration tests: started on a configuration
// (with `replica = DIR`), its log in a file the tests read (which refresh, how
// many entries), stopped by PID.
#pragma once

#include "support/process.hpp"
#include "support/slapd.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace vmaildir::test {

class ReplicaDaemon {
public:
    /// Starts it (staying root; the store's group is `group`, "" for none; `options` are
    /// more of its own) and, when `wait_ready`, waits until a refresh has completed.
    ReplicaDaemon(const std::string& config_path, const std::string& log_path,
                  bool wait_ready = true, const std::string& group = "nogroup",
                  std::vector<std::string> options = {})
        : log_path_(log_path), config_path_(config_path), group_(group),
          options_(std::move(options)) {
        start(wait_ready);
    }

    void start(bool wait_ready = true) {
        std::size_t before = refreshes();
        std::vector<std::string> argv{VMAILDIR_REPLICA_DAEMON,
                                      "-c",
                                      config_path_,
                                      "--user",
                                      "",
                                      "--group",
                                      group_,
                                      "--log",
                                      "stderr",
                                      "-v"};
        argv.insert(argv.end(), options_.begin(), options_.end());
        process_ = std::make_unique<Process>(argv, log_path_);
        if (wait_ready && !wait_for([&] { return refreshes() > before; }, std::chrono::seconds(20)))
            throw std::runtime_error("vmaildir-replica did not complete a refresh; see " +
                                     log_path_);
    }
    /// SIGTERM; the exit status.
    int stop() { return process_ ? process_->stop() : -1; }
    void kill9() {
        if (process_ && process_->running())
            ::kill(process_->pid(), SIGKILL);
        process_.reset();
    }
    bool running() const { return process_ && process_->running(); }

    std::string log() const { return read_file(log_path_); }
    /// How many refreshes the log reports complete.
    std::size_t refreshes() const { return count("complete in "); }
    std::size_t count(const std::string& text) const {
        std::string l = log();
        std::size_t n = 0;
        for (auto at = l.find(text); at != std::string::npos; at = l.find(text, at + 1))
            ++n;
        return n;
    }
    /// The last "refresh ... complete" line.
    std::string last_refresh() const {
        std::string l = log();
        auto at = l.rfind("complete in ");
        if (at == std::string::npos)
            return {};
        auto start = l.rfind('\n', at);
        auto end = l.find('\n', at);
        return l.substr(start == std::string::npos ? 0 : start + 1,
                        end == std::string::npos ? std::string::npos : end - start - 1);
    }
    /// The number before " entries received" in the last refresh line.
    long last_received() const {
        std::string line = last_refresh();
        auto at = line.find(" entries received");
        if (at == std::string::npos)
            return -1;
        auto begin = line.rfind(' ', at - 1);
        return std::stol(line.substr(begin + 1, at - begin - 1));
    }

private:
    std::string log_path_;
    std::string config_path_;
    std::string group_;
    std::vector<std::string> options_;
    std::unique_ptr<Process> process_;
};

} // namespace vmaildir::test
