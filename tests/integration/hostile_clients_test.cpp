// vmaildir-postfix against clients that mean harm: floods of idle connections,
// requests trickled a byte at a time, oversized lines whole and split.  A real
// slapd, the real daemon, raw sockets as the clients.  Every check is about
// behaviour (who is answered, who is closed), never about how fast.
#include "protocol.hpp"
#include "support/postfix.hpp"

#include <doctest/doctest.h>
#include <memory>
#include <poll.h>

using namespace vmaildir::test;

namespace {

/// A client socket, closed on destruction.
struct Client {
    int fd = -1;
    Client() = default;
    explicit Client(int f) : fd(f) {}
    Client(Client&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    ~Client() {
        if (fd >= 0)
            close(fd);
    }
    bool send(const std::string& bytes) const {
        return ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
               static_cast<ssize_t>(bytes.size());
    }
    /// What arrives within `ms`: bytes, or "" with `closed` set when the server closed it.
    std::string receive(int ms, bool* closed = nullptr) const {
        pollfd p{fd, POLLIN, 0};
        if (closed)
            *closed = false;
        if (poll(&p, 1, ms) <= 0)
            return "";
        char buf[4096];
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n <= 0) {
            if (closed)
                *closed = true;
            return "";
        }
        return std::string(buf, static_cast<std::size_t>(n));
    }
    /// Whether the server has closed it (without waiting).
    bool closed_by_server() const {
        bool closed = false;
        receive(0, &closed);
        return closed;
    }
};

Client tcp_client(int port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("cannot connect to port " + std::to_string(port));
    return Client(fd);
}

Client unix_client(const std::string& path) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("cannot connect to " + path);
    return Client(fd);
}

/// The socketmap answer to `request` on a new connection to the daemon's unix socket.
std::string socketmap(const TableDaemon& d, const std::string& request) {
    Client c = unix_client(d.socket());
    c.send(vmaildir::postfix::netstring(request));
    std::string reply;
    for (int i = 0; i < 50 && (reply.empty() || reply.back() != ','); ++i)
        reply += c.receive(100);
    return reply;
}

const std::string info_alias = vmaildir::postfix::netstring("OK alice@example.org,bob@example.org");

/// slapd with the example directory and vmaildir-postfix with `options`.
struct Setup {
    explicit Setup(const std::string& name, const std::vector<std::string>& options)
        : slapd(name, "jamm") {
        write_jamm_config(slapd);
        daemon.emplace(slapd.dir(), slapd.dir() + "/vmaildir.conf", "", options);
    }
    std::string log() const { return read_file(slapd.dir() + "/vmaildir-postfix.log"); }
    Slapd slapd;
    std::optional<TableDaemon> daemon;
};

} // namespace

TEST_CASE("hostile clients: a flood on the TCP port never locks Postfix out of the unix socket") {
    Setup s("hostile-flood", {"--max-connections", "50"});
    const TableDaemon& d = *s.daemon;
    REQUIRE(socketmap(d, "alias info@example.org") == info_alias);

    // Four times the limit of idle connections, from anyone who can reach the loopback port.
    std::vector<Client> flood;
    for (int i = 0; i < 200; ++i)
        flood.push_back(tcp_client(d.tcp_port()));
    // The unix socket has a limit of its own: Postfix is still answered.
    CHECK(socketmap(d, "alias info@example.org") == info_alias);
    // At the limit a new connection is served; the ones idle longest were closed for it.
    Client last = tcp_client(d.tcp_port());
    CHECK(last.send("get info@example.org\n"));
    CHECK(last.receive(5000) == "200 alice@example.org,bob@example.org\n");
    std::size_t closed = 0;
    CHECK(wait_for(
        [&] {
            closed = 0;
            for (const Client& c : flood)
                closed += c.closed_by_server() ? 1 : 0;
            return closed >= flood.size() - 49;
        },
        std::chrono::seconds(10)));
    CHECK(closed >= flood.size() - 49);
    CHECK_FALSE(flood.back().closed_by_server()); // the newest are kept
    // Logged once a minute with a count, not once per connection.
    std::string log = s.log();
    std::size_t lines = 0;
    for (std::size_t at = 0; (at = log.find("to make room", at)) != std::string::npos; ++at)
        ++lines;
    CHECK(lines == 1);
}

TEST_CASE("hostile clients: a request trickled in is cut off at its deadline, blocking no one") {
    Setup s("hostile-trickle", {"--request-timeout", "2", "--idle-timeout", "300"});
    const TableDaemon& d = *s.daemon;
    // One byte every 200 ms, a request of 60 bytes: 12 s, far past the 2 s deadline (an idle
    // timeout that restarts on every byte would never end it).
    Client slow = tcp_client(d.tcp_port());
    const std::string request = "get " + std::string(50, 'a') + "@example.org\n";
    bool closed = false;
    std::size_t sent = 0;
    for (; sent < request.size() && !closed; ++sent) {
        if (!slow.send(request.substr(sent, 1)))
            break;
        slow.receive(200, &closed);
        // Meanwhile every other client is answered at once.
        if (sent == 5) {
            CHECK(socketmap(d, "alias info@example.org") == info_alias);
            Client other = tcp_client(d.tcp_port());
            other.send("get info@example.org\n");
            CHECK(other.receive(5000) == "200 alice@example.org,bob@example.org\n");
        }
    }
    CHECK(sent < request.size()); // closed before the request was whole
    CHECK((closed || slow.closed_by_server()));

    // A client that stops in the middle of a netstring is closed the same way.
    Client stalled = unix_client(d.socket());
    stalled.send("100:mailbox alice@exa");
    CHECK(socketmap(d, "alias info@example.org") == info_alias);
    CHECK(wait_for([&] { return stalled.closed_by_server(); }, std::chrono::seconds(10)));
    // An idle connection, with no request begun, is left alone.
    Client idle = unix_client(d.socket());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK_FALSE(idle.closed_by_server());
    idle.send(vmaildir::postfix::netstring("alias info@example.org"));
    CHECK(idle.receive(5000) == info_alias);
}

TEST_CASE("hostile clients: a tcp_table line over the limit gets one answer, whole or split") {
    Setup s("hostile-long-line", {});
    const TableDaemon& d = *s.daemon;
    const std::string line = "get " + std::string(20000, 'a') + "@example.org\n";
    // Whole: one send (the kernel delivers it in as many reads as it likes).
    Client whole = tcp_client(d.tcp_port());
    whole.send(line);
    std::string whole_reply = whole.receive(5000);
    // Split in small pieces with pauses, so that the daemon reads it in many parts.
    Client split = tcp_client(d.tcp_port());
    std::string split_reply;
    for (std::size_t at = 0; at < line.size() && split_reply.empty(); at += 1000) {
        split.send(line.substr(at, 1000));
        split_reply = split.receive(20);
    }
    if (split_reply.empty())
        split_reply = split.receive(5000);
    CHECK(whole_reply == "400 request%20too%20long\n");
    CHECK(split_reply == whole_reply);
    // A line at the limit of an address is still a lookup, answered "not found".
    Client ok = tcp_client(d.tcp_port());
    ok.send("get " + std::string(64, 'a') + "@example.org\n");
    CHECK(ok.receive(5000).substr(0, 4) == "500 ");
}
