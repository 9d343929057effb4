// smtp_load -- a lean SMTP load generator for bench/run-postfix-bench: one
// message per recipient read from stdin, SESSIONS connections at a time.
//
//   smtp_load [-s SESSIONS] [-f FROM] [-m MESSAGES_PER_CONNECTION] HOST:PORT < RECIPIENTS
//
// Why not smtp-source: it cannot send each message to a different recipient
// from a list, and one smtp-source process per message (fork + exec + dynamic
// linking) costs about 4 ms of CPU -- on a 2-CPU machine that is as much as
// Postfix's own work per message, and the benchmark would measure the client.
// This client is a few threads that speak plain SMTP (RFC 5321, no pipelining,
// no TLS): banner, EHLO, MAIL, RCPT, DATA, a small message, QUIT; by default a
// new connection per message, like an MX receiving from many senders.
// Prints "smtp_load: N accepted, R refused (T temporary), S s, M msgs/s" and
// the first few refusals on stderr.  Exit 0 when every message was accepted, 1
// otherwise, 64 on usage.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <netdb.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

struct Options {
    std::string host, port, from = "bench@sender.test";
    unsigned sessions = 8, per_connection = 1;
};

class Connection {
public:
    explicit Connection(const Options& o) {
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
        addrinfo* res = nullptr;
        if (getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &res) != 0)
            return;
        fd_ = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ >= 0 && connect(fd_, res->ai_addr, res->ai_addrlen) != 0) {
            close(fd_);
            fd_ = -1;
        }
        freeaddrinfo(res);
    }
    ~Connection() {
        if (fd_ >= 0)
            close(fd_);
    }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool ok() const { return fd_ >= 0; }

    bool send(std::string_view text) {
        while (!text.empty()) {
            ssize_t n = ::send(fd_, text.data(), text.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            text.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// The reply code of the next (possibly multi-line) reply, 0 on a broken connection;
    /// `last` gets the reply's last line.
    int reply(std::string& last) {
        while (true) {
            std::size_t nl;
            while ((nl = buffer_.find('\n')) == std::string::npos) {
                char buf[4096];
                ssize_t n = recv(fd_, buf, sizeof buf, 0);
                if (n <= 0)
                    return 0;
                buffer_.append(buf, static_cast<std::size_t>(n));
            }
            std::string line = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (line.size() < 3)
                return 0;
            if (line.size() > 3 && line[3] == '-')
                continue; // a continuation line
            last = line;
            return std::atoi(line.substr(0, 3).c_str());
        }
    }

private:
    int fd_ = -1;
    std::string buffer_;
};

struct Totals {
    std::atomic<std::size_t> accepted{0}, refused{0}, temporary{0};
    std::mutex mutex;
    unsigned shown = 0;
    void refuse(const std::string& rcpt, const std::string& why) {
        ++refused;
        if (!why.empty() && why[0] == '4')
            ++temporary;
        std::lock_guard lock(mutex);
        if (++shown <= 5)
            std::fprintf(stderr, "smtp_load: %s: %s\n", rcpt.c_str(), why.c_str());
    }
};

/// Sends the messages for recipients[i], i taken from `next`, `per_connection` per connection.
void worker(const Options& o, const std::vector<std::string>& recipients,
            std::atomic<std::size_t>& next, Totals& totals) {
    std::string last;
    while (true) {
        std::size_t first = next.fetch_add(o.per_connection);
        if (first >= recipients.size())
            return;
        std::size_t end = std::min(recipients.size(), first + o.per_connection);
        Connection c(o);
        if (!c.ok() || c.reply(last) != 220 || !c.send("EHLO load.bench.test\r\n") ||
            c.reply(last) != 250) {
            for (std::size_t i = first; i < end; ++i)
                totals.refuse(recipients[i], c.ok() ? "session: " + last : "connect failed");
            continue;
        }
        for (std::size_t i = first; i < end; ++i) {
            const std::string& rcpt = recipients[i];
            if (!c.send("MAIL FROM:<" + o.from + ">\r\n") || c.reply(last) != 250) {
                totals.refuse(rcpt, "MAIL: " + last);
                continue;
            }
            if (!c.send("RCPT TO:<" + rcpt + ">\r\n") || c.reply(last) != 250) {
                totals.refuse(rcpt, "RCPT: " + last);
                c.send("RSET\r\n");
                c.reply(last);
                continue;
            }
            if (!c.send("DATA\r\n") || c.reply(last) != 354) {
                totals.refuse(rcpt, "DATA: " + last);
                continue;
            }
            std::string message = "From: <" + o.from + ">\r\nTo: <" + rcpt +
                                  ">\r\nSubject: vmaildir benchmark " + std::to_string(i) +
                                  "\r\n\r\nA small benchmark message.\r\n.\r\n";
            if (!c.send(message) || c.reply(last) != 250) {
                totals.refuse(rcpt, "end of data: " + last);
                continue;
            }
            ++totals.accepted;
        }
        c.send("QUIT\r\n");
        c.reply(last);
    }
}

int usage() {
    std::fprintf(stderr, "usage: smtp_load [-s SESSIONS] [-f FROM] [-m MESSAGES_PER_CONNECTION] "
                         "HOST:PORT < RECIPIENTS\n");
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    for (int opt; (opt = getopt(argc, argv, "s:f:m:")) != -1;) {
        switch (opt) {
        case 's':
            o.sessions = static_cast<unsigned>(std::atoi(optarg));
            break;
        case 'f':
            o.from = optarg;
            break;
        case 'm':
            o.per_connection = static_cast<unsigned>(std::atoi(optarg));
            break;
        default:
            return usage();
        }
    }
    if (optind + 1 != argc || o.sessions == 0 || o.per_connection == 0)
        return usage();
    std::string target = argv[optind];
    std::size_t colon = target.rfind(':');
    if (colon == std::string::npos)
        return usage();
    o.host = target.substr(0, colon);
    o.port = target.substr(colon + 1);

    std::vector<std::string> recipients;
    for (std::string line; std::getline(std::cin, line);)
        if (!line.empty())
            recipients.push_back(line);

    Totals totals;
    std::atomic<std::size_t> next{0};
    auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < o.sessions; ++i)
        threads.emplace_back(worker, std::cref(o), std::cref(recipients), std::ref(next),
                             std::ref(totals));
    for (std::thread& t : threads)
        t.join();
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::printf("smtp_load: %zu accepted, %zu refused (%zu temporary), %.3f s, %.0f msgs/s\n",
                totals.accepted.load(), totals.refused.load(), totals.temporary.load(),
                took.count(), static_cast<double>(totals.accepted.load()) / took.count());
    return totals.refused.load() == 0 ? 0 : 1;
}
