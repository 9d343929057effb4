// vmaildir-milter for the integration tests: started on a unix socket (as
// examples/milter says) or a loopback port, logging to a file, stopped by PID;
// and miltertest, the packaged milter client, running a Lua script of
// tests/integration/milter/.
#pragma once

#include "support/process.hpp"
#include "support/slapd.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace vmaildir::test {

class MilterDaemon {
public:
    /// Listens on `socket` ("unix:/path" or "inet:PORT@127.0.0.1"); logs to DIR/milter.log.
    MilterDaemon(const std::string& dir, const std::string& config_path, const std::string& socket,
                 const std::vector<std::string>& flags = {})
        : socket_(socket), log_(dir + "/milter.log") {
        std::vector<std::string> argv = {VMAILDIR_MILTER_DAEMON,
                                         "-c",
                                         config_path,
                                         "--log",
                                         "stderr",
                                         "-v",
                                         "--listen",
                                         socket,
                                         "--user",
                                         "nobody"};
        argv.insert(argv.end(), flags.begin(), flags.end());
        std::filesystem::remove(log_);
        process_.emplace(argv, log_);
        if (!wait_for([&] { return log().find("info: serving ") != std::string::npos; },
                      std::chrono::seconds(10)))
            throw std::runtime_error("vmaildir-milter did not start; see " + log_);
    }
    /// Stopped with stop()'s grace, not Process's five seconds: libmilter alone may take
    /// five, and a SIGKILL then would cut off the leak check of a sanitizer build.
    ~MilterDaemon() {
        if (process_)
            stop();
    }
    MilterDaemon(const MilterDaemon&) = delete;
    MilterDaemon& operator=(const MilterDaemon&) = delete;
    const std::string& socket() const { return socket_; }
    std::string log() const { return read_file(log_); }
    Process& process() { return *process_; }
    /// SIGTERM, as an init system stops it: its exit status (-1 when it had to be killed).
    /// libmilter notices the stop within five seconds.
    int stop() { return process_->stop(std::chrono::seconds(12)); }

private:
    std::string socket_;
    std::string log_;
    std::optional<Process> process_;
};

/// miltertest -s tests/integration/milter/SCRIPT with `defines` as -D NAME=VALUE: its exit
/// status and output (the script's mt.echo lines, and the error that ended it).
inline std::pair<int, std::string> miltertest(const std::string& script,
                                              const std::vector<std::string>& defines,
                                              const std::string& output_file) {
    std::string cmd = "miltertest";
    for (const std::string& d : defines)
        cmd += " -D " + shell_quote(d);
    cmd += " -s " +
           shell_quote(std::string(VMAILDIR_SOURCE_DIR) + "/tests/integration/milter/" + script);
    int rc = status_of(cmd + " > " + shell_quote(output_file) + " 2>&1", true);
    return {rc, read_file(output_file)};
}

} // namespace vmaildir::test
