// vmaildir-milter's envelope handling (milter/replies.hpp over vmaildir/service/smtp_checks.hpp),
// as filter.cpp drives it over the example Jamm directory in memory.  The input is what
// libmilter hands over, NUL-separated (its strings cannot hold a NUL): MAIL's argv[0], the
// {auth_authen} macro (trimmed, as filter.cpp's macro() does), then RCPT argv[0]s.
// Properties: every reply that is not an accept is a 4xx/5xx code with a matching enhanced
// code and one line of text that smfi_setreply takes (no CR, LF or NUL; '%' doubled; within
// libmilter's MAXREPLYLEN) and that fits RFC 5321's 512-byte reply line; the verdicts agree
// with the core's address parser: an address in a hosted domain is never "foreign", only a
// parsable address is deliverable, and an address is judged as its parsed text() is.
#include "fuzz.hpp"
#include "replies.hpp"
#include "support/scripted_directory.hpp"
#include "vmaildir/model/address.hpp"
#include "vmaildir/service/smtp_checks.hpp"

#include <cctype>
#include <memory>
#include <string>
#include <vector>

using namespace vmaildir;
using namespace vmaildir::milter;

namespace {

/// libmilter's limit on a reply text (libmilter/smfi.c, MAXREPLYLEN).
constexpr std::size_t max_reply_text = 980;
/// RFC 5321 §4.5.3.1.5: a reply line, code and CRLF included.
constexpr std::size_t max_reply_line = 512;

Service& service() {
    static const std::unique_ptr<Logger> log = make_null_logger();
    static const std::unique_ptr<Service> s = [] {
        Config c = test::example_config("jamm");
        return Service::open(
            c, std::make_unique<test::ScriptedDirectory>(test::example_directory("jamm")), *log);
    }();
    return *s;
}

bool hosted(std::string_view domain) {
    return service().lookup(MapName::domain, domain).is_found();
}

void check_reply(const Reply& r) {
    if (r.action == Answer::accept) {
        fuzz::require(r.code.empty(), "an accept carries no code");
        return;
    }
    const char cls = r.action == Answer::reject ? '5' : '4';
    fuzz::require(r.code.size() == 3 && r.code[0] == cls && std::isdigit(r.code[1]) &&
                      std::isdigit(r.code[2]),
                  "a reject is 5xx, a tempfail 4xx");
    fuzz::require(r.xcode.size() >= 5 && r.xcode[0] == cls && r.xcode[1] == '.',
                  "the enhanced code's class matches the reply code");
    for (std::size_t i = 0; i < r.text.size(); ++i) {
        char c = r.text[i];
        fuzz::require(c != '\r' && c != '\n' && c != '\0', "no CR, LF or NUL in a reply text");
        if (c == '%') {
            fuzz::require(i + 1 < r.text.size() && r.text[i + 1] == '%',
                          "every '%' in a reply text is doubled");
            ++i;
        }
    }
    fuzz::require(r.text.size() <= max_reply_text, "a reply text fits libmilter's MAXREPLYLEN");
    std::string line = r.line();
    fuzz::require(line.find_first_of("\r\n") == std::string::npos, "a reply line is one line");
    fuzz::require(line.size() + 2 <= max_reply_line, "a reply line fits RFC 5321's 512 bytes");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    std::vector<std::string> args;
    for (std::size_t start = 0;;) {
        std::size_t nul = in.find('\0', start);
        args.emplace_back(in.substr(start, nul == std::string_view::npos ? nul : nul - start));
        if (nul == std::string_view::npos || args.size() == 6)
            break;
        start = nul + 1;
    }
    const std::string sender = args[0];
    const std::string login(args.size() > 1 ? util::trim(args[1]) : std::string_view());
    Service& s = service();

    auto verdict = check_sender(s, login, sender);
    fuzz::require(!verdict.is_not_found(), "a sender check is never not_found");
    for (auto policy :
         {UnauthenticatedSenders::off, UnauthenticatedSenders::log, UnauthenticatedSenders::reject})
        check_reply(sender_reply(verdict, login, sender, policy));
    // The core's parser names the same sender: its text is judged alike.
    auto parsed_sender = parse_address(sender, AddressPolicy{});
    if (auto* a = std::get_if<Address>(&parsed_sender)) {
        auto again = check_sender(s, login, "<" + a->text() + ">");
        fuzz::require(again.outcome() == verdict.outcome() &&
                          (!verdict.is_found() || again.value() == verdict.value()),
                      "a sender is judged as its parsed text is");
    }

    for (std::size_t i = 1; i < args.size(); ++i) {
        const std::string& rcpt = args[i];
        auto v = check_recipient(s, rcpt);
        fuzz::require(!v.is_not_found(), "a recipient check is never not_found");
        Reply r = recipient_reply(v, rcpt);
        check_reply(r);
        fuzz::require(accepted_line(r, rcpt).find_first_of("\r\n") == std::string::npos,
                      "the accepted line is one line");
        auto parsed = parse_address(rcpt, AddressPolicy{});
        auto* a = std::get_if<Address>(&parsed);
        if (v.is_found() && v.value() == RecipientVerdict::deliverable)
            fuzz::require(a != nullptr, "only a parsable address is deliverable");
        if (!a || !v.is_found())
            continue;
        if (hosted(a->domain()))
            fuzz::require(v.value() != RecipientVerdict::foreign,
                          "an address in a hosted domain is never foreign");
        auto again = check_recipient(s, "<" + a->text() + ">");
        fuzz::require(again.is_found() && again.value() == v.value(),
                      "a recipient is judged as its parsed text is");
    }
    return 0;
}
