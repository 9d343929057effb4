// The Dovecot authentication listener's connections (auth_session.hpp).
#include "auth_session.hpp"

#include "auth_protocol.hpp"
#include "vmaildir/daemon/lines.hpp"
#include "vmaildir/service/service.hpp"

#include <atomic>
#include <random>
#include <unistd.h>

namespace vmaildir::dovecot {

namespace {

std::atomic<unsigned long> connections{0};

std::string cookie() {
    std::random_device random;
    static const char hex[] = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 32; ++i)
        out += hex[random() % 16];
    return out;
}

} // namespace

void serve_auth(daemon::Connection& c, const std::string& listener) {
    if (!c.send(handshake(static_cast<unsigned long>(getpid()), ++connections, cookie())))
        return;
    Conversation conversation([&c](std::string_view login, std::string_view password,
                                   std::string_view service) -> Result<std::string> {
        auto r = c.service().authenticate(login, password, service);
        if (!r.is_found())
            return Result<std::string>::failure_of(r);
        return Result<std::string>::found(r.value().address);
    });
    daemon::serve_lines(
        c, max_line,
        [&](std::string_view line) {
            auto step = conversation.line(line);
            if (!step.log.empty())
                c.log().warning(listener + ": " + step.log);
            if (!step.notice.empty())
                c.log().info(listener + ": " + step.notice);
            if (!step.reply.empty() && !c.send(step.reply))
                return false;
            return !step.close;
        },
        [&] {
            c.log().warning(listener + ": line longer than " + std::to_string(max_line) +
                            " bytes; closing");
        });
}

} // namespace vmaildir::dovecot
