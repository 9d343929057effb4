// What vmaildir-milter answers, as data: the core's verdicts
// (vmaildir/service/smtp_checks.hpp) turned into milter replies, and the
// milter's own policy (mode, unauthenticated senders).  No libmilter here, so
// the unit tests cover every reply without an MTA.
//
//   RCPT  deliverable or foreign       continue
//         unknown                      550 5.1.1 <addr>: Recipient address rejected: User unknown
//         directory trouble            451 4.3.0 <addr>: Temporary lookup failure
//   MAIL  owned / null sender          continue
//         not owned by the login       550 5.7.1 <addr>: Sender address rejected: not owned by user
//         L unauthenticated, hosted      per policy: continue / log / 550 5.7.1 ...: not logged in
//         directory trouble            451 4.3.0 <addr>: Temporary lookup failure
// The reason of a temporary failure goes to the log, never to the SMTP client.
#pragma once

#include "vmaildir/service/smtp_checks.hpp"
#include "vmaildir/util/log.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace vmaildir::milter {

/// reject: answer as the table says; test: log what would have been answered, accept all.
enum class Mode { reject, test };
/// What to do with an unauthenticated client whose envelope sender is in a hosted domain.
enum class UnauthenticatedSenders { off, log, reject };

std::optional<Mode> parse_mode(std::string_view text);
std::optional<UnauthenticatedSenders> parse_unauthenticated(std::string_view text);

enum class Answer { accept, reject, tempfail };

struct Reply {
    Answer action = Answer::tempfail;
    std::string code;  ///< "550" / "451"; empty for accept
    std::string xcode; ///< "5.1.1" / "4.3.0"
    std::string text;  ///< the SMTP text, already safe for smfi_setreply (no CR/LF, % doubled)
    LogLevel level = LogLevel::debug; ///< how the decision is logged
    std::string log;                  ///< the log line (without queue id); empty: not logged
    /// An accepted RCPT: what it resolved as ("deliverable").  Its `log` stays empty, so that
    /// the common case builds no text; accepted_line() makes the debug line when it is wanted.
    const char* accepted_as = nullptr;
    /// "550 5.1.1 TEXT" with the % escapes undone (for logs).
    std::string line() const;
};

Reply recipient_reply(const Result<RecipientVerdict>& verdict, std::string_view address);
/// The debug line of an accepted RCPT: "RCPT <a>: deliverable".
std::string accepted_line(const Reply& reply, std::string_view address);
Reply sender_reply(const Result<SenderVerdict>& verdict, std::string_view login,
                   std::string_view sender, UnauthenticatedSenders policy);

/// An address or login for a reply text or a log line: printable, cut (at 200 bytes for a
/// reply, 256 for a log line), % doubled for smfi_setreply (`for_reply`) or not.
std::string shown(std::string_view text, bool for_reply);

} // namespace vmaildir::milter
