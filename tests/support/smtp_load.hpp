// A load of mail for the drills (tests/integration/drills_test.cpp): N messages
// sent over SMTP by a client that behaves like a sending MTA, and the count of
// what arrived in the Maildirs.
//
// The client speaks plain SMTP (RFC 5321) to 127.0.0.1:PORT, one message per
// connection: greeting, EHLO, MAIL, RCPT, DATA, QUIT.  Like a sending MTA's
// queue (RFC 5321 4.5.4.1) it treats a 4xx reply, a dropped connection or 30 s
// of silence as "try again later" and sends the same message again after a
// pause, a bounded number of times; a 5xx reply is a bounce, recorded and not
// retried.  Each message carries a Message-ID of its own, so the count in the
// Maildirs can tell a lost message from a duplicated one.  Limits: no
// pipelining, no TLS, no AUTH; a connection lost after the final "." is
// retried too, which is how real MTAs duplicate mail (RFC 1047) -- the count
// then reports it.
#pragma once

#include "support/mail.hpp"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <netinet/in.h>
#include <set>
#include <string>
#include <sys/socket.h>
#include <sys/time.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace vmaildir::test {

/// How one SMTP transaction ended, as the sending MTA sees it.
enum class SmtpOutcome { accepted, try_later, refused };

struct SmtpAttempt {
    SmtpOutcome outcome = SmtpOutcome::try_later;
    std::string reply; ///< the reply (or the connection problem) that decided it
};

namespace detail {

/// One client connection with blocking I/O and a 30 s limit on every read and write.
class SmtpConnection {
public:
    explicit SmtpConnection(int port) : fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        timeval limit{30, 0};
        setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
        setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(static_cast<uint16_t>(port));
        connected_ = fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    }
    ~SmtpConnection() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    SmtpConnection(const SmtpConnection&) = delete;
    SmtpConnection& operator=(const SmtpConnection&) = delete;

    bool connected() const { return connected_; }

    bool write(const std::string& text) {
        std::size_t done = 0;
        while (done < text.size()) {
            ssize_t n = ::send(fd_, text.data() + done, text.size() - done, MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            done += static_cast<std::size_t>(n);
        }
        return true;
    }

    /// The whole reply, continuation lines ("250-...") included; empty when the connection
    /// broke or stayed silent.
    std::string reply() {
        std::string whole;
        for (;;) {
            std::string line;
            if (!read_line(line))
                return "";
            whole += (whole.empty() ? "" : " | ") + line;
            if (line.size() < 4 || line[3] != '-')
                return line.size() >= 3 ? whole : "";
        }
    }

private:
    bool read_line(std::string& line) {
        for (;;) {
            if (auto eol = buffer_.find("\r\n"); eol != std::string::npos) {
                line = buffer_.substr(0, eol);
                buffer_.erase(0, eol + 2);
                return true;
            }
            char chunk[4096];
            ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
            if (n <= 0)
                return false;
            buffer_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    int fd_;
    bool connected_ = false;
    std::string buffer_;
};

} // namespace detail

/// Sends one message (`text`: header and body, CRLF line ends, no line starting with ".") from
/// `from` to `to` over a new connection to 127.0.0.1:`port`.  Thread-safe.
inline SmtpAttempt smtp_send(int port, const std::string& from, const std::string& to,
                             const std::string& text) {
    detail::SmtpConnection c(port);
    if (!c.connected())
        return {SmtpOutcome::try_later, "connection refused"};
    // Each step: what to send (nothing for the greeting) and the reply class that goes on.
    const std::pair<std::string, char> steps[] = {
        {"", '2'},
        {"EHLO drills.vmaildir.test\r\n", '2'},
        {"MAIL FROM:<" + from + ">\r\n", '2'},
        {"RCPT TO:<" + to + ">\r\n", '2'},
        {"DATA\r\n", '3'},
        {text + ".\r\n", '2'},
    };
    for (const auto& [command, expected] : steps) {
        if (!command.empty() && !c.write(command))
            return {SmtpOutcome::try_later, "connection lost while sending"};
        std::string reply = c.reply();
        if (reply.empty())
            return {SmtpOutcome::try_later, "connection lost or silent"};
        if (reply[0] == '5')
            return {SmtpOutcome::refused, reply};
        if (reply[0] != expected)
            return {SmtpOutcome::try_later, reply};
    }
    c.write("QUIT\r\n");
    c.reply();
    return {SmtpOutcome::accepted, ""};
}

/// An address the load sends to, and the Maildirs (relative to the Maildir base) in which each
/// message to it must arrive exactly once.
struct LoadRecipient {
    std::string address;
    std::vector<std::string> maildirs;
};

/// `count` messages from `from`, message i to recipients[i % size], sent by `workers` threads
/// (started by the constructor) each taking the next unsent message.  A message that gets
/// "try later" is sent again after a pause growing from 100 ms to 1 s, for at most
/// `max_attempts` attempts and only until `retry_for` has passed since the start (then it is
/// given up: a message the host never took), so a drill whose host stays down ends.
class SmtpLoad {
public:
    struct Settings {
        int port = 0;
        std::string tag; ///< in every Message-ID and Subject: which drill sent it
        std::string from = "sender@sender.test";
        std::vector<LoadRecipient> recipients;
        std::size_t count = 200;
        std::size_t workers = 4;
        int max_attempts = 120;
        std::chrono::seconds retry_for{90};
    };

    explicit SmtpLoad(Settings settings) : s_(std::move(settings)) {
        for (std::size_t w = 0; w < s_.workers; ++w)
            threads_.emplace_back([this] { work(); });
    }
    ~SmtpLoad() { finish(); }
    SmtpLoad(const SmtpLoad&) = delete;
    SmtpLoad& operator=(const SmtpLoad&) = delete;

    /// Waits until at least `n` messages are accepted, or every message is done, or `limit`
    /// passes: whether `n` are accepted.
    bool wait_accepted(std::size_t n, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, limit, [&] { return accepted_ >= n || done_ == s_.count; });
        return accepted_ >= n;
    }
    /// Waits until "try later" has been answered `n` more times than `since`, or `limit` passes.
    bool wait_deferrals(std::size_t since, std::size_t n, std::chrono::milliseconds limit) {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, limit,
                          [&] { return deferrals_ >= since + n || done_ == s_.count; });
        return deferrals_ >= since + n;
    }
    /// Waits for every worker: afterwards every message is accepted, refused or given up.
    void finish() {
        for (std::thread& t : threads_)
            if (t.joinable())
                t.join();
    }

    std::size_t accepted() const { return locked(accepted_); }
    /// "Try later" answers (4xx, dropped or silent connections), each followed by a retry.
    std::size_t deferrals() const { return locked(deferrals_); }
    /// The 5xx replies: every one a bounce the sending MTA would have sent.
    std::vector<std::string> refusals() const {
        std::lock_guard lock(mutex_);
        return refusals_;
    }
    /// The messages that still got "try later" after max_attempts tries.
    std::vector<std::size_t> given_up() const {
        std::lock_guard lock(mutex_);
        return given_up_;
    }
    /// The distinct "try later" replies with how often each came (for the test's messages).
    std::string deferral_summary() const {
        std::lock_guard lock(mutex_);
        std::string out;
        for (const auto& [reply, n] : try_later_)
            out += std::to_string(n) + "x " + reply + "\n";
        return out;
    }

    std::size_t count() const { return s_.count; }
    const LoadRecipient& recipient(std::size_t i) const {
        return s_.recipients[i % s_.recipients.size()];
    }
    /// The Message-ID of message i, without the angle brackets.
    std::string message_id(std::size_t i) const {
        return "drill." + s_.tag + "." + std::to_string(i) + "@drills.vmaildir.test";
    }
    /// Every Maildir the load sends to.
    std::set<std::string> maildirs() const {
        std::set<std::string> out;
        for (const LoadRecipient& r : s_.recipients)
            out.insert(r.maildirs.begin(), r.maildirs.end());
        return out;
    }

private:
    std::size_t locked(const std::size_t& value) const {
        std::lock_guard lock(mutex_);
        return value;
    }

    std::string text(std::size_t i) const {
        return "From: <" + s_.from + ">\r\nTo: <" + recipient(i).address + ">\r\nSubject: drill " +
               s_.tag + " message " + std::to_string(i) + "\r\nMessage-ID: <" + message_id(i) +
               ">\r\n\r\nOne message of a load and fault drill.\r\n";
    }

    void work() {
        for (std::size_t i = next_++; i < s_.count; i = next_++) {
            auto pause = std::chrono::milliseconds(100);
            for (int attempt = 1;; ++attempt) {
                SmtpAttempt a = smtp_send(s_.port, s_.from, recipient(i).address, text(i));
                std::unique_lock lock(mutex_);
                if (a.outcome == SmtpOutcome::accepted) {
                    ++accepted_;
                } else if (a.outcome == SmtpOutcome::refused) {
                    refusals_.push_back(message_id(i) + " to " + recipient(i).address + ": " +
                                        a.reply);
                } else {
                    ++deferrals_;
                    ++try_later_[a.reply];
                    if (attempt < s_.max_attempts && Clock::now() < retry_until_) {
                        changed_.notify_all();
                        lock.unlock();
                        std::this_thread::sleep_for(pause);
                        pause = std::min(pause * 2, std::chrono::milliseconds(1000));
                        continue;
                    }
                    given_up_.push_back(i);
                }
                ++done_;
                changed_.notify_all();
                break;
            }
        }
    }

    using Clock = std::chrono::steady_clock;
    const Settings s_;
    const Clock::time_point retry_until_ = Clock::now() + s_.retry_for;
    std::atomic<std::size_t> next_{0};
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::size_t accepted_ = 0, deferrals_ = 0, done_ = 0;
    std::vector<std::string> refusals_;
    std::vector<std::size_t> given_up_;
    std::map<std::string, std::size_t> try_later_;
    std::vector<std::thread> threads_; // last: started once everything above exists
};

/// What a load left in the Maildirs it sent to.
struct Deliveries {
    std::vector<std::string> missing;    ///< "MESSAGE-ID in MAILDIR": expected, not there
    std::vector<std::string> duplicated; ///< "MESSAGE-ID in MAILDIR (N times)"
    std::vector<std::string> unexpected; ///< files there that are no message of the load for it
    std::size_t delivered = 0;           ///< expected messages found (once or more)
};

/// The Message-ID header of a message file, without angle brackets ("" if it has none).
inline std::string message_id_of(const std::filesystem::path& file) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line) && !line.empty() && line != "\r") {
        std::string name = line.substr(0, 11);
        std::transform(name.begin(), name.end(), name.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (name != "message-id:")
            continue;
        auto open = line.find('<'), close = line.find('>', open);
        return open == std::string::npos || close == std::string::npos
                   ? ""
                   : line.substr(open + 1, close - open - 1);
    }
    return "";
}

/// Counts every message of `load` in every Maildir it was addressed to under `base`.
inline Deliveries count_deliveries(const Maildirs& base, const SmtpLoad& load) {
    std::map<std::string, std::map<std::string, std::size_t>> found; // Maildir → ID → files
    Deliveries d;
    for (const std::string& maildir : load.maildirs())
        for (const char* sub : {"/new", "/cur"}) {
            std::string dir = base.path(maildir) + sub;
            if (std::filesystem::exists(dir))
                for (const auto& e : std::filesystem::directory_iterator(dir))
                    if (e.is_regular_file())
                        ++found[maildir][message_id_of(e.path())];
        }
    for (std::size_t i = 0; i < load.count(); ++i)
        for (const std::string& maildir : load.recipient(i).maildirs) {
            auto& ids = found[maildir];
            auto it = ids.find(load.message_id(i));
            if (it == ids.end()) {
                d.missing.push_back(load.message_id(i) + " in " + maildir);
                continue;
            }
            ++d.delivered;
            if (it->second > 1)
                d.duplicated.push_back(load.message_id(i) + " in " + maildir + " (" +
                                       std::to_string(it->second) + " times)");
            ids.erase(it);
        }
    for (const auto& [maildir, ids] : found)
        for (const auto& [id, n] : ids)
            d.unexpected.push_back(std::to_string(n) + "x <" + id + "> in " + maildir);
    return d;
}

/// How many messages a load should leave in its Maildirs in all.
inline std::size_t expected_deliveries(const SmtpLoad& load) {
    std::size_t n = 0;
    for (std::size_t i = 0; i < load.count(); ++i)
        n += load.recipient(i).maildirs.size();
    return n;
}

/// The files in a load's Maildirs (cheap: no file is read).
inline std::size_t files_in(const Maildirs& base, const SmtpLoad& load) {
    std::size_t n = 0;
    for (const std::string& maildir : load.maildirs())
        n += base.messages(maildir);
    return n;
}

} // namespace vmaildir::test
