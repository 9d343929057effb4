// vmaildir-milter's replies (replies.hpp).
#include "replies.hpp"

#include "vmaildir/util/text.hpp"

namespace vmaildir::milter {

namespace {

Reply accept(std::string log = {}) {
    Reply r;
    r.action = Answer::accept;
    r.log = std::move(log);
    return r;
}

Reply answer(Answer action, const char* code, const char* xcode, std::string text, LogLevel level,
             std::string log) {
    Reply r;
    r.action = action;
    r.code = code;
    r.xcode = xcode;
    r.text = std::move(text);
    r.level = level;
    r.log = std::move(log);
    return r;
}

/// "<addr>" as the reply text shows it (brackets as Postfix writes them).
std::string bracketed(std::string_view address, bool for_reply) {
    std::string_view a = util::trim(address);
    if (a.size() >= 2 && a.front() == '<' && a.back() == '>')
        a = a.substr(1, a.size() - 2);
    return "<" + shown(a, for_reply) + ">";
}

Reply temporary(std::string_view address, const char* what, const std::string& reason) {
    return answer(Answer::tempfail, "451", "4.3.0",
                  bracketed(address, true) + ": Temporary lookup failure", LogLevel::warning,
                  std::string(what) + " " + bracketed(address, false) +
                      ": temporary failure: " + util::printable(reason));
}

} // namespace

std::optional<Mode> parse_mode(std::string_view text) {
    if (text == "reject")
        return Mode::reject;
    if (text == "test")
        return Mode::test;
    return std::nullopt;
}

std::optional<UnauthenticatedSenders> parse_unauthenticated(std::string_view text) {
    if (text == "off")
        return UnauthenticatedSenders::off;
    if (text == "log")
        return UnauthenticatedSenders::log;
    if (text == "reject")
        return UnauthenticatedSenders::reject;
    return std::nullopt;
}

std::string shown(std::string_view text, bool for_reply) {
    // A reply may show two of them (sender and login): cut at 200, each is at most 206 bytes,
    // 412 with every '%' doubled, so the text stays within libmilter's MAXREPLYLEN (980) and
    // the line within RFC 5321's 512 bytes.
    std::string out = util::printable(text, for_reply ? 200 : 256);
    if (!for_reply)
        return out;
    std::string escaped;
    for (char c : out) {
        escaped += c;
        if (c == '%')
            escaped += '%';
    }
    return escaped;
}

std::string Reply::line() const {
    std::string plain;
    for (std::size_t i = 0; i < text.size(); ++i) {
        plain += text[i];
        if (text[i] == '%' && i + 1 < text.size() && text[i + 1] == '%')
            ++i;
    }
    return code + " " + xcode + " " + plain;
}

Reply recipient_reply(const Result<RecipientVerdict>& verdict, std::string_view address) {
    if (verdict.is_found()) {
        switch (verdict.value()) {
        case RecipientVerdict::deliverable:
        case RecipientVerdict::foreign: {
            Reply r = accept();
            r.accepted_as = verdict.value() == RecipientVerdict::deliverable
                                ? "deliverable"
                                : "not a hosted domain";
            return r;
        }
        case RecipientVerdict::unknown:
            return answer(Answer::reject, "550", "5.1.1",
                          bracketed(address, true) + ": Recipient address rejected: User unknown",
                          LogLevel::info, "RCPT " + bracketed(address, false) + ": unknown");
        }
    }
    // A not_found verdict cannot happen; treat anything but found as trouble (never a bounce).
    return temporary(address, "RCPT", verdict.is_found() ? "unexpected verdict" : verdict.reason());
}

std::string accepted_line(const Reply& reply, std::string_view address) {
    return "RCPT " + bracketed(address, false) + ": " +
           (reply.accepted_as ? reply.accepted_as : "accepted");
}

Reply sender_reply(const Result<SenderVerdict>& verdict, std::string_view login,
                   std::string_view sender, UnauthenticatedSenders policy) {
    // Only logging unauthenticated senders must not make the directory a reason to defer
    // their mail: the check that failed would only have written a line.
    if (!verdict.is_found() && login.empty() && policy == UnauthenticatedSenders::log) {
        Reply r = accept("MAIL " + bracketed(sender, false) +
                         ": not checked (unauthenticated-senders log): temporary failure: " +
                         util::printable(verdict.reason()));
        r.level = LogLevel::warning;
        return r;
    }
    if (!verdict.is_found())
        return temporary(sender, "MAIL", verdict.reason());
    switch (verdict.value()) {
    case SenderVerdict::allowed:
        return accept(
            "MAIL " + bracketed(sender, false) +
            (login.empty() ? std::string(": allowed") : ": owned by " + shown(login, false)));
    case SenderVerdict::not_owned:
        return answer(Answer::reject, "550", "5.7.1",
                      bracketed(sender, true) + ": Sender address rejected: not owned by user " +
                          shown(login, true),
                      LogLevel::info,
                      "MAIL " + bracketed(sender, false) + ": not owned by " + shown(login, false));
    case SenderVerdict::unauthenticated_hosted: {
        std::string log = "MAIL " + bracketed(sender, false) +
                          ": a hosted domain's address used without SMTP AUTH";
        if (policy == UnauthenticatedSenders::reject)
            return answer(Answer::reject, "550", "5.7.1",
                          bracketed(sender, true) + ": Sender address rejected: not logged in",
                          LogLevel::info, std::move(log));
        Reply r = accept(std::move(log));
        if (policy == UnauthenticatedSenders::log)
            r.level = LogLevel::info;
        return r;
    }
    }
    return temporary(sender, "MAIL", "unexpected verdict");
}

} // namespace vmaildir::milter
