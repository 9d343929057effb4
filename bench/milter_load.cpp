// milter_load -- the MTA side of the milter protocol, as a load generator for
// bench/run-milter-bench: CONNECTIONS threads, each with one milter connection
// on which it negotiates once and then sends message after message: MAIL, K
// RCPTs, ABORT (what an MTA sends for a transaction that ends in RSET).
//
//   milter_load [-c CONNECTIONS] [-k RCPTS] [-n TOTAL | -t SECONDS] [-f FROM] -s SOCKET
//               < RECIPIENTS
//
// SOCKET is inet:PORT@HOST (libmilter's syntax), HOST:PORT (Postfix's) or
// unix:/PATH.  RECIPIENTS has one address per line; the messages take them in
// turn and start again at the top when the list is used up.  Without -n or -t
// the list is checked once.
//
// The protocol (Sendmail's milter protocol version 6 as libmilter 8.17 speaks
// it; the constants are <libmilter/mfdef.h>'s).  Every packet is a 4-byte
// big-endian length, a command byte, and length - 1 bytes of payload.
//   'O' OPTNEG  MTA: version, actions, protocol flags (three 32-bit big-endian
//               words).  The filter answers 'O' with the same three words,
//               saying what it wants, optionally followed by macro lists
//               (SMFIF_SETSYMLIST), which this client reads and ignores.
//   'D' MACRO   a command byte ('M', 'R'), then NUL-terminated name, value
//               pairs: the macros of the command that follows.  No reply.
//   'M' MAIL    NUL-terminated arguments, the first "<sender>".
//   'R' RCPT    likewise, "<recipient>" (libmilter passes the brackets on).
//   'A' ABORT   the message is over.  No reply.
//   'Q' QUIT    the connection is over.  No reply.
// Replies to MAIL and RCPT: 'c' continue, 'y' "NNN x.y.z text" (a reply code
// the filter set), 'r' reject (5xx), 't' tempfail (4xx), 'a' accept, 'd'
// discard; 'p' progress means wait on.  The client offers to skip CONNECT,
// HELO, headers, end of headers, body, DATA and unknown commands, and it fails
// if the filter wants any of them (it never sends them).  It does not offer
// SMFIP_NR_MAIL or SMFIP_NR_RCPT: a RCPT without a reply has no verdict to
// count.
//
// Prints "milter_load: N RCPT checks, S s, R checks/s; continue C, 5xx F, 4xx T,
// other O; M messages on K connections, X MAIL refused, E errors" on stdout and
// the first few errors on stderr.  Exit 0 when no connection failed, 1
// otherwise, 64 on usage.
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <libmilter/mfdef.h>
#include <mutex>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
    std::string host, port, unix_path, from = "bench@sender.test";
    unsigned connections = 4, per_message = 10;
    std::size_t total = 0; ///< RCPT checks to make; 0: the list once (or -t)
    double seconds = 0;    ///< run for this long instead of `total`
};

/// The steps this client never sends; the filter must agree to skip all of them.
constexpr std::uint32_t skipped_steps = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOHDRS |
                                        SMFIP_NOEOH | SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA;

void put32(std::string& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<char>((v >> shift) & 0xff));
}

std::uint32_t get32(std::string_view in, std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i)
        v = (v << 8) | static_cast<unsigned char>(in[at + i]);
    return v;
}

/// Appends one packet: length, command, payload.
void packet(std::string& out, char command, std::string_view payload) {
    put32(out, static_cast<std::uint32_t>(payload.size() + 1));
    out.push_back(command);
    out.append(payload);
}

/// Appends "text\0" to a payload.
void arg(std::string& payload, std::string_view text) {
    payload.append(text);
    payload.push_back('\0');
}

enum class Kind { proceed, permanent, temporary, other };

/// What a reply to MAIL or RCPT means for the SMTP client.
Kind kind_of(char command, std::string_view payload) {
    switch (command) {
    case SMFIR_CONTINUE:
        return Kind::proceed;
    case SMFIR_REJECT:
        return Kind::permanent;
    case SMFIR_TEMPFAIL:
        return Kind::temporary;
    case SMFIR_REPLYCODE:
        if (!payload.empty() && payload[0] == '5')
            return Kind::permanent;
        if (!payload.empty() && payload[0] == '4')
            return Kind::temporary;
        return Kind::other;
    default:
        return Kind::other;
    }
}

class Connection {
public:
    explicit Connection(const Options& o) {
        if (!o.unix_path.empty()) {
            fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
            sockaddr_un sa{};
            sa.sun_family = AF_UNIX;
            std::strncpy(sa.sun_path, o.unix_path.c_str(), sizeof sa.sun_path - 1);
            if (fd_ >= 0 && connect(fd_, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0)
                close_fd();
            return;
        }
        addrinfo hints{};
        hints.ai_socktype = SOCK_STREAM;
        hints.ai_flags = AI_NUMERICSERV;
        addrinfo* res = nullptr;
        if (getaddrinfo(o.host.c_str(), o.port.c_str(), &hints, &res) != 0)
            return;
        fd_ = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd_ >= 0 && connect(fd_, res->ai_addr, res->ai_addrlen) != 0)
            close_fd();
        freeaddrinfo(res);
        // Every command waits for its reply: Nagle would hold the next one back.
        int one = 1;
        if (fd_ >= 0)
            setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    ~Connection() { close_fd(); }
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    bool ok() const { return fd_ >= 0; }

    bool send(std::string_view bytes) {
        while (!bytes.empty()) {
            ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (n <= 0)
                return false;
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return true;
    }

    /// The next packet: its command, or 0 on a broken connection or a packet over 64 KiB.
    char receive(std::string& payload) {
        if (!fill(4))
            return 0;
        std::uint32_t length = get32(buffer_, 0);
        if (length == 0 || length > MILTER_MAX_DATA_SIZE + 1 || !fill(4 + length))
            return 0;
        char command = buffer_[4];
        payload.assign(buffer_, 5, length - 1);
        buffer_.erase(0, 4 + length);
        return command;
    }

    /// The reply to MAIL or RCPT, progress packets skipped.
    char reply(std::string& payload) {
        char command;
        while ((command = receive(payload)) == SMFIR_PROGRESS) {
        }
        return command;
    }

private:
    bool fill(std::size_t want) {
        char buf[4096];
        while (buffer_.size() < want) {
            ssize_t n = recv(fd_, buf, sizeof buf, 0);
            if (n <= 0)
                return false;
            buffer_.append(buf, static_cast<std::size_t>(n));
        }
        return true;
    }
    void close_fd() {
        if (fd_ >= 0)
            close(fd_);
        fd_ = -1;
    }

    int fd_ = -1;
    std::string buffer_;
};

struct Totals {
    std::array<std::atomic<std::size_t>, 4> rcpts{}; ///< by Kind
    std::atomic<std::size_t> messages{0}, mail_refused{0}, errors{0};
    std::mutex mutex;
    unsigned shown = 0;
    void error(const std::string& why) {
        ++errors;
        std::lock_guard lock(mutex);
        if (++shown <= 5)
            std::fprintf(stderr, "milter_load: %s\n", why.c_str());
    }
    std::size_t checks() const {
        std::size_t n = 0;
        for (const auto& c : rcpts)
            n += c.load();
        return n;
    }
};

/// OPTNEG; an empty string when the filter agreed, else what went wrong.
std::string negotiate(Connection& c) {
    std::string payload, out;
    put32(payload, SMFI_PROT_VERSION);
    put32(payload, SMFI_CURR_ACTS);
    put32(payload, skipped_steps);
    packet(out, SMFIC_OPTNEG, payload);
    if (!c.send(out))
        return "OPTNEG: cannot send";
    char command = c.receive(payload);
    if (command == 0)
        return "OPTNEG: connection closed";
    if (command != SMFIC_OPTNEG || payload.size() < MILTER_OPTLEN)
        return "OPTNEG: no option reply (command '" + std::string(1, command) + "')";
    std::uint32_t protocol = get32(payload, 8);
    if ((protocol & skipped_steps) != skipped_steps)
        return "OPTNEG: the filter wants steps this client never sends (protocol flags " +
               std::to_string(protocol) + ")";
    if (protocol & (SMFIP_NR_MAIL | SMFIP_NR_RCPT))
        return "OPTNEG: the filter asked for no reply to MAIL or RCPT, which was not offered";
    return {};
}

/// Sends messages on one connection, taking recipients[i % size] for i from `next`,
/// until `total` checks are claimed or the deadline has passed.
void worker(const Options& o, const std::vector<std::string>& recipients, std::size_t total,
            Clock::time_point deadline, std::atomic<std::size_t>& next, Totals& totals) {
    Connection c(o);
    if (!c.ok())
        return totals.error("cannot connect");
    if (std::string problem = negotiate(c); !problem.empty())
        return totals.error(problem);
    const bool timed = o.seconds > 0;
    std::string out, payload, reply;
    for (std::uint64_t message = 1;; ++message) {
        if (timed && Clock::now() >= deadline)
            break;
        std::size_t first = next.fetch_add(o.per_message);
        if (!timed && first >= total)
            break;
        std::size_t end = timed ? first + o.per_message : std::min(total, first + o.per_message);

        // As Postfix does: the macros the filter may read, then the command.
        std::string qid = "B" + std::to_string(message);
        payload.clear();
        payload.push_back(SMFIC_MAIL);
        arg(payload, "i");
        arg(payload, qid);
        arg(payload, "{mail_addr}");
        arg(payload, o.from);
        packet(out, SMFIC_MACRO, payload);
        payload.clear();
        arg(payload, "<" + o.from + ">");
        packet(out, SMFIC_MAIL, payload);
        bool sent = c.send(out);
        out.clear();
        char command = sent ? c.reply(reply) : 0;
        if (command == 0)
            return totals.error("connection lost at MAIL");
        if (kind_of(command, reply) == Kind::proceed) {
            for (std::size_t i = first; i < end; ++i) {
                const std::string& rcpt = recipients[i % recipients.size()];
                payload.clear();
                payload.push_back(SMFIC_RCPT);
                arg(payload, "i");
                arg(payload, qid);
                arg(payload, "{rcpt_addr}");
                arg(payload, rcpt);
                packet(out, SMFIC_MACRO, payload);
                payload.clear();
                arg(payload, "<" + rcpt + ">");
                packet(out, SMFIC_RCPT, payload);
                sent = c.send(out);
                out.clear();
                command = sent ? c.reply(reply) : 0;
                if (command == 0)
                    return totals.error("connection lost at RCPT " + rcpt);
                Kind k = kind_of(command, reply);
                ++totals.rcpts[static_cast<std::size_t>(k)];
                if (k == Kind::temporary || k == Kind::other) {
                    std::lock_guard lock(totals.mutex);
                    if (++totals.shown <= 5)
                        std::fprintf(stderr, "milter_load: RCPT %s: '%c' %s\n", rcpt.c_str(),
                                     command, reply.c_str());
                }
            }
        } else {
            ++totals.mail_refused; // anything but continue: the MTA would not ask about RCPTs
        }
        ++totals.messages;
        packet(out, SMFIC_ABORT, {}); // sent with the next message's first packets
    }
    packet(out, SMFIC_QUIT, {});
    c.send(out);
}

int usage() {
    std::fprintf(stderr,
                 "usage: milter_load [-c CONNECTIONS] [-k RCPTS] [-n TOTAL | -t SECONDS] [-f FROM] "
                 "-s SOCKET < RECIPIENTS\n"
                 "  SOCKET: inet:PORT@HOST, HOST:PORT or unix:/PATH\n");
    return 64;
}

/// Fills o.host/o.port or o.unix_path from SOCKET; false when it is malformed.
bool parse_socket(Options& o, const std::string& spec) {
    if (spec.rfind("unix:", 0) == 0 || spec.rfind("local:", 0) == 0) {
        o.unix_path = spec.substr(spec.find(':') + 1);
        return !o.unix_path.empty();
    }
    if (spec.rfind("inet:", 0) == 0) {
        std::string rest = spec.substr(5);
        std::size_t at = rest.find('@');
        if (at == std::string::npos)
            return false;
        o.port = rest.substr(0, at);
        o.host = rest.substr(at + 1);
    } else {
        std::size_t colon = spec.rfind(':');
        if (colon == std::string::npos)
            return false;
        o.host = spec.substr(0, colon);
        o.port = spec.substr(colon + 1);
    }
    return !o.host.empty() && !o.port.empty();
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    std::string spec;
    for (int opt; (opt = getopt(argc, argv, "c:k:n:t:f:s:")) != -1;) {
        switch (opt) {
        case 'c':
            o.connections = static_cast<unsigned>(std::atoi(optarg));
            break;
        case 'k':
            o.per_message = static_cast<unsigned>(std::atoi(optarg));
            break;
        case 'n':
            o.total = static_cast<std::size_t>(std::atoll(optarg));
            break;
        case 't':
            o.seconds = std::atof(optarg);
            break;
        case 'f':
            o.from = optarg;
            break;
        case 's':
            spec = optarg;
            break;
        default:
            return usage();
        }
    }
    if (optind != argc || o.connections == 0 || o.per_message == 0 || o.seconds < 0 ||
        (o.total > 0 && o.seconds > 0) || !parse_socket(o, spec))
        return usage();

    std::vector<std::string> recipients;
    for (std::string line; std::getline(std::cin, line);)
        if (!line.empty())
            recipients.push_back(line);
    if (recipients.empty()) {
        std::fprintf(stderr, "milter_load: no recipients on stdin\n");
        return 64;
    }
    std::size_t total = o.total > 0 ? o.total : recipients.size();

    Totals totals;
    std::atomic<std::size_t> next{0};
    auto start = Clock::now();
    auto deadline = start + std::chrono::duration_cast<Clock::duration>(
                                std::chrono::duration<double>(o.seconds));
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < o.connections; ++i)
        threads.emplace_back(worker, std::cref(o), std::cref(recipients), total, deadline,
                             std::ref(next), std::ref(totals));
    for (std::thread& t : threads)
        t.join();
    std::chrono::duration<double> took = Clock::now() - start;
    std::size_t checks = totals.checks();
    std::printf("milter_load: %zu RCPT checks, %.3f s, %.0f checks/s; continue %zu, 5xx %zu, "
                "4xx %zu, other %zu; %zu messages on %u connections, %zu MAIL refused, "
                "%zu errors\n",
                checks, took.count(), static_cast<double>(checks) / took.count(),
                totals.rcpts[0].load(), totals.rcpts[1].load(), totals.rcpts[2].load(),
                totals.rcpts[3].load(), totals.messages.load(), o.connections,
                totals.mail_refused.load(), totals.errors.load());
    return totals.errors.load() == 0 ? 0 : 1;
}
