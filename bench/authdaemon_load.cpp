// authdaemon_load -- logins against Courier's authdaemond socket for
// bench/run-courier-bench: CLIENTS threads, each doing one AUTH request per
// connection (as imapd, pop3d and Cyrus SASL do) back to back for SECONDS.
//
//   authdaemon_load [-c CLIENTS] [-t SECONDS] [-s SERVICE] SOCKET < LOGINS
//
// LOGINS has one "login<TAB>password" per line; the threads take them in turn.
// The request is authdaemond's "AUTH <n>\n<service>\nlogin\n<login>\n<password>\n"
// (courier-authlib 0.71, authdaemond.c).  The reply is read to the end: account
// lines closed by ".\n" is a login, "FAIL\n" a refusal, and a connection closed
// without a reply a temporary failure.
// Prints "authdaemon_load: N logins (A accepted, R refused, T temporary), S s,
// L logins/s" on stdout and the first few failures on stderr.  Exit 0 when every
// login was accepted, 1 otherwise, 64 on usage.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <mutex>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace {

enum class Outcome { accepted, refused, temporary };

struct Options {
    std::string socket, service = "imap";
    unsigned clients = 1;
    double seconds = 5;
};

int usage() {
    std::cerr << "usage: authdaemon_load [-c CLIENTS] [-t SECONDS] [-s SERVICE] SOCKET < LOGINS\n"
                 "  LOGINS: one \"login<TAB>password\" per line\n";
    return 64;
}

/// One AUTH request on a new connection; `reply` gets what authdaemond answered.
Outcome login(const Options& o, const std::string& request, std::string& reply) {
    reply.clear();
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return Outcome::temporary;
    sockaddr_un sa{};
    sa.sun_family = AF_UNIX;
    std::strncpy(sa.sun_path, o.socket.c_str(), sizeof sa.sun_path - 1);
    bool sent = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0 &&
                write(fd, request.data(), request.size()) == static_cast<ssize_t>(request.size());
    char buf[4096];
    ssize_t n;
    while (sent && (n = read(fd, buf, sizeof buf)) > 0)
        reply.append(buf, static_cast<size_t>(n));
    close(fd);
    if (reply == "FAIL\n")
        return Outcome::refused;
    if (reply.size() >= 2 && reply.compare(reply.size() - 2, 2, ".\n") == 0 &&
        (reply.size() == 2 || reply[reply.size() - 3] == '\n'))
        return Outcome::accepted;
    return Outcome::temporary;
}

} // namespace

int main(int argc, char** argv) {
    Options o;
    int opt;
    while ((opt = getopt(argc, argv, "c:t:s:")) != -1) {
        switch (opt) {
        case 'c':
            o.clients = static_cast<unsigned>(std::strtoul(optarg, nullptr, 10));
            break;
        case 't':
            o.seconds = std::strtod(optarg, nullptr);
            break;
        case 's':
            o.service = optarg;
            break;
        default:
            return usage();
        }
    }
    if (optind + 1 != argc || o.clients == 0 || o.seconds <= 0)
        return usage();
    o.socket = argv[optind];
    if (o.socket.size() >= sizeof(sockaddr_un::sun_path)) {
        std::cerr << "authdaemon_load: socket path too long\n";
        return 64;
    }

    std::vector<std::string> requests;
    for (std::string line; std::getline(std::cin, line);) {
        auto tab = line.find('\t');
        if (tab == std::string::npos)
            continue;
        std::string body = o.service + "\nlogin\n" + line.substr(0, tab) + "\n" +
                           line.substr(tab + 1) + "\n";
        requests.push_back("AUTH " + std::to_string(body.size()) + "\n" + body);
    }
    if (requests.empty()) {
        std::cerr << "authdaemon_load: no logins on stdin\n";
        return 64;
    }

    std::atomic<size_t> next{0};
    std::atomic<unsigned long> counts[3]{};
    std::mutex err_mutex;
    unsigned reported = 0;
    auto start = std::chrono::steady_clock::now();
    auto until = start + std::chrono::duration<double>(o.seconds);
    std::vector<std::thread> threads;
    for (unsigned i = 0; i < o.clients; ++i)
        threads.emplace_back([&] {
            std::string reply;
            while (std::chrono::steady_clock::now() < until) {
                size_t k = next.fetch_add(1, std::memory_order_relaxed) % requests.size();
                Outcome r = login(o, requests[k], reply);
                counts[static_cast<int>(r)].fetch_add(1, std::memory_order_relaxed);
                if (r != Outcome::accepted) {
                    std::lock_guard lock(err_mutex);
                    if (reported++ < 5) {
                        std::string what = requests[k].substr(requests[k].find('\n') + 1);
                        what = what.substr(0, what.rfind('\n', what.size() - 2)); // no password
                        for (char& c : what)
                            if (c == '\n')
                                c = ' ';
                        std::cerr << "authdaemon_load: " << what << ": "
                                  << (r == Outcome::refused ? "refused" : "temporary failure")
                                  << "\n";
                    }
                }
            }
        });
    for (auto& t : threads)
        t.join();
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    unsigned long ok = counts[0], refused = counts[1], temporary = counts[2],
                  total = ok + refused + temporary;
    std::printf("authdaemon_load: %lu logins (%lu accepted, %lu refused, %lu temporary), "
                "%.2f s, %.0f logins/s\n",
                total, ok, refused, temporary, secs, static_cast<double>(total) / secs);
    return ok == total ? 0 : 1;
}
