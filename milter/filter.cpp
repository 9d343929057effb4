// libmilter's callbacks (filter.hpp).
#include "filter.hpp"

#include "vmaildir/util/text.hpp"

#include <cerrno>
#include <cstring>
#include <libmilter/mfapi.h>
#include <memory>
#include <new>
#include <optional>
#include <sys/stat.h>
#include <unistd.h>

namespace vmaildir::milter {

namespace {

Filter* the_filter = nullptr;

/// One MTA connection: the service it uses and the state of its current message.
struct Session {
    explicit Session(const daemon::ServiceHolder& holder) : service(holder) {}
    daemon::ServiceHolder::Snapshot service;
    bool sender_checked = false;         ///< ownership checked with a login for this message
    std::string sender;                  ///< the current message's envelope sender, as received
    std::optional<Reply> sender_refused; ///< the answer to every RCPT once refused at RCPT

    void new_message(std::string envelope_sender) {
        sender = std::move(envelope_sender);
        sender_checked = false;
        sender_refused.reset();
    }
};

Session* session_of(SMFICTX* ctx) {
    if (auto* s = static_cast<Session*>(smfi_getpriv(ctx)))
        return s;
    auto* s = new (std::nothrow) Session(the_filter->services());
    if (s && smfi_setpriv(ctx, s) != MI_SUCCESS) {
        delete s;
        s = nullptr;
    }
    return s;
}

std::string macro(SMFICTX* ctx, const char* name) {
    const char* v = smfi_getsymval(ctx, const_cast<char*>(name));
    return v ? std::string(util::trim(v)) : std::string();
}

std::string first_argument(char** argv) {
    return argv && argv[0] ? std::string(argv[0]) : std::string();
}

/// "QUEUEID: " for a log line, when the MTA has given one.
std::string log_prefix(SMFICTX* ctx) {
    std::string qid = macro(ctx, "i");
    return qid.empty() ? "" : util::printable(qid, 32) + ": ";
}

/// Applies a reply to the command whose argument was `subject`: logs it, then answers (or,
/// in test mode, logs what it would answer and lets the command through).  An accepted
/// command costs no text unless it is logged.
sfsistat apply(SMFICTX* ctx, const Reply& reply, std::string_view subject) {
    Logger& log = the_filter->log();
    if (reply.action == Answer::accept) {
        if (!log.enabled(reply.level))
            return SMFIS_CONTINUE;
        std::string line = reply.log.empty() ? accepted_line(reply, subject) : reply.log;
        (reply.level == LogLevel::info ? log.info(log_prefix(ctx) + line)
                                       : log.debug(log_prefix(ctx) + line));
        return SMFIS_CONTINUE;
    }
    const std::string prefix = log_prefix(ctx);
    if (the_filter->settings().mode == Mode::test) {
        std::string line = prefix + reply.log + "; test mode, not answering " + reply.line();
        (reply.action == Answer::tempfail ? log.warning(line) : log.info(line));
        return SMFIS_CONTINUE;
    }
    std::string line = prefix + reply.log + "; answering " + reply.line();
    (reply.action == Answer::tempfail ? log.warning(line) : log.info(line));
    std::string code = reply.code, xcode = reply.xcode, text = reply.text;
    if (smfi_setreply(ctx, code.data(), xcode.data(), text.data()) != MI_SUCCESS)
        log.warning(prefix + "libmilter refused the reply text; the MTA answers its default");
    return reply.action == Answer::reject ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

sfsistat out_of_memory(SMFICTX* ctx) {
    Reply r;
    r.action = Answer::tempfail;
    r.code = "451";
    r.xcode = "4.3.0";
    r.text = "Temporary failure";
    r.level = LogLevel::error;
    r.log = "out of memory for the connection's state";
    return apply(ctx, r, {});
}

/// The sender check with the current login, when there is one or the policy asks.
sfsistat check_sender_now(SMFICTX* ctx, Session& s, const std::string& login) {
    const FilterSettings& settings = the_filter->settings();
    if (login.empty() && settings.unauthenticated == UnauthenticatedSenders::off)
        return SMFIS_CONTINUE;
    auto verdict = check_sender(s.service.get(), login, s.sender);
    if (!login.empty())
        s.sender_checked = true;
    Reply reply = sender_reply(verdict, login, s.sender, settings.unauthenticated);
    sfsistat status = apply(ctx, reply, s.sender);
    if (status != SMFIS_CONTINUE)
        s.sender_refused = std::move(reply);
    return status;
}

sfsistat on_negotiate(SMFICTX* ctx, unsigned long f0, unsigned long f1, unsigned long,
                      unsigned long, unsigned long* pf0, unsigned long* pf1, unsigned long* pf2,
                      unsigned long* pf3) {
    // Only MAIL and RCPT matter: the MTA may skip every other step.
    const unsigned long skip = SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOHDRS | SMFIP_NOEOH |
                               SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NODATA;
    *pf0 = 0;
    *pf1 = f1 & skip;
    *pf2 = 0;
    *pf3 = 0;
    if (f0 & SMFIF_SETSYMLIST) {
        // Ask for the macros the checks read, whatever the MTA's own lists say.
        *pf0 |= SMFIF_SETSYMLIST;
        char mail[] = "i {auth_authen}";
        char rcpt[] = "i {auth_authen}";
        smfi_setsymlist(ctx, SMFIM_ENVFROM, mail);
        smfi_setsymlist(ctx, SMFIM_ENVRCPT, rcpt);
    }
    return SMFIS_CONTINUE;
}

sfsistat on_envfrom(SMFICTX* ctx, char** argv) {
    Session* s = session_of(ctx);
    if (!s)
        return out_of_memory(ctx);
    s->new_message(first_argument(argv));
    return check_sender_now(ctx, *s, macro(ctx, "{auth_authen}"));
}

sfsistat on_envrcpt(SMFICTX* ctx, char** argv) {
    Session* s = session_of(ctx);
    if (!s)
        return out_of_memory(ctx);
    if (s->sender_refused)
        return apply(ctx, *s->sender_refused, s->sender);
    if (!s->sender_checked) {
        // An MTA may hand over {auth_authen} only at RCPT.
        if (std::string login = macro(ctx, "{auth_authen}"); !login.empty()) {
            sfsistat st = check_sender_now(ctx, *s, login);
            if (st != SMFIS_CONTINUE)
                return st;
        }
    }
    std::string_view recipient = argv && argv[0] ? argv[0] : "";
    return apply(ctx, recipient_reply(check_recipient(s->service.get(), recipient), recipient),
                 recipient);
}

sfsistat on_abort(SMFICTX* ctx) {
    if (auto* s = static_cast<Session*>(smfi_getpriv(ctx)))
        s->new_message({});
    return SMFIS_CONTINUE;
}

sfsistat on_close(SMFICTX* ctx) {
    delete static_cast<Session*>(smfi_getpriv(ctx));
    smfi_setpriv(ctx, nullptr);
    return SMFIS_CONTINUE;
}

char filter_name[] = "vmaildir-milter";

struct smfiDesc description() {
    struct smfiDesc d {};
    d.xxfi_name = filter_name;
    d.xxfi_version = SMFI_VERSION;
    d.xxfi_flags = 0;
    d.xxfi_envfrom = on_envfrom;
    d.xxfi_envrcpt = on_envrcpt;
    d.xxfi_abort = on_abort;
    d.xxfi_close = on_close;
    d.xxfi_negotiate = on_negotiate;
    return d;
}

/// The path of a unix socket spec, else empty.
std::string unix_path(const std::string& spec) {
    for (const char* prefix : {"unix:", "local:"})
        if (spec.rfind(prefix, 0) == 0)
            return spec.substr(std::strlen(prefix));
    return {};
}

} // namespace

std::string check_socket_spec(const std::string& spec) {
    if (spec.rfind("unix:", 0) == 0 || spec.rfind("local:", 0) == 0) {
        std::string path = unix_path(spec);
        if (path.empty() || path.front() != '/')
            return spec + ": expected an absolute socket path, such as "
                          "unix:/var/spool/postfix/vmaildir/milter.sock";
        return {};
    }
    for (const char* prefix : {"inet:", "inet6:"}) {
        if (spec.rfind(prefix, 0) != 0)
            continue;
        std::string rest = spec.substr(std::strlen(prefix));
        auto at = rest.find('@');
        std::string port = rest.substr(0, at);
        bool digits = !port.empty() && port.size() <= 5 &&
                      port.find_first_not_of("0123456789") == std::string::npos;
        if (!digits || std::stoul(port) < 1 || std::stoul(port) > 65535 ||
            at == std::string::npos || at + 1 == rest.size())
            return spec + ": expected " + prefix + "PORT@HOST, such as " + prefix + "8891@" +
                   (std::string(prefix) == "inet:" ? "127.0.0.1" : "[::1]");
        return {};
    }
    return spec + ": expected unix:/PATH, inet:PORT@HOST or inet6:PORT@HOST";
}

Filter::Filter(daemon::ServiceHolder& services, FilterSettings settings, Logger& log)
    : services_(services), settings_(settings), log_(log) {
    the_filter = this;
}

Filter::~Filter() {
    the_filter = nullptr;
}

bool Filter::open(const std::string& spec, const daemon::SocketOptions& sockets) {
    std::string conn = spec;
    struct smfiDesc d = description();
    if (smfi_setconn(conn.data()) != MI_SUCCESS ||
        smfi_settimeout(settings_.timeout) != MI_SUCCESS || smfi_setbacklog(128) != MI_SUCCESS ||
        smfi_register(d) != MI_SUCCESS) {
        log_.error("libmilter refused the filter for " + spec);
        return false;
    }
    // Created with exactly the configured mode, and the group given without following a
    // symlink: nothing is changed by path as root but the socket itself (daemon/listener.cpp).
    mode_t old_mask = umask(static_cast<mode_t>(~sockets.mode & 0777));
    int opened = smfi_opensocket(true);
    umask(old_mask);
    if (opened != MI_SUCCESS) {
        log_.error("cannot listen on " + spec + " (is the directory there, and is the port free?)");
        return false;
    }
    if (std::string path = unix_path(spec); !path.empty())
        if (sockets.group && lchown(path.c_str(), static_cast<uid_t>(-1), *sockets.group) != 0) {
            log_.error("cannot give " + path + " its group: " + std::strerror(errno));
            return false;
        }
    return true;
}

bool Filter::run() {
    return smfi_main() == MI_SUCCESS;
}

void Filter::stop() {
    smfi_stop();
}

} // namespace vmaildir::milter
