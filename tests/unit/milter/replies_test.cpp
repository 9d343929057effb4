// vmaildir-milter's replies (milter/replies.hpp): the codes of every verdict, the
// policy for unauthenticated senders, and reply texts that libmilter takes as
// they are (no CR/LF, a literal % doubled).
#include "replies.hpp"

#include <doctest/doctest.h>

using namespace vmaildir;
using namespace vmaildir::milter;

TEST_CASE("recipient replies") {
    using V = Result<RecipientVerdict>;
    Reply ok = recipient_reply(V::found(RecipientVerdict::deliverable), "<a@example.org>");
    CHECK(ok.action == Answer::accept);
    CHECK(recipient_reply(V::found(RecipientVerdict::foreign), "<a@x.test>").action ==
          Answer::accept);

    Reply unknown = recipient_reply(V::found(RecipientVerdict::unknown), "<nobody@example.org>");
    CHECK(unknown.action == Answer::reject);
    CHECK(unknown.line() ==
          "550 5.1.1 <nobody@example.org>: Recipient address rejected: User unknown");

    Reply later = recipient_reply(V::temp_fail("ldap://127.0.0.1: can't contact"), "x@example.org");
    CHECK(later.action == Answer::tempfail);
    CHECK(later.line() == "451 4.3.0 <x@example.org>: Temporary lookup failure");
    CHECK(later.level == LogLevel::warning);
    CHECK(later.log.find("can't contact") != std::string::npos); // the reason is logged...
    CHECK(later.text.find("contact") == std::string::npos);      // ...never told the client

    // Not a verdict a check gives; still never a bounce.
    CHECK(recipient_reply(V::not_found("?"), "<a@example.org>").action == Answer::tempfail);
    CHECK(recipient_reply(V(), "<a@example.org>").action == Answer::tempfail);
}

TEST_CASE("reply texts are safe for smfi_setreply") {
    using V = Result<RecipientVerdict>;
    Reply r = recipient_reply(V::found(RecipientVerdict::unknown), "<100%\r\nx@example.org>");
    CHECK(r.text.find('\r') == std::string::npos);
    CHECK(r.text.find('\n') == std::string::npos);
    CHECK(r.text.find("100%%") != std::string::npos);
    CHECK(r.line().find("100%\\x0D\\x0Ax@") != std::string::npos);
    Reply big = recipient_reply(V::found(RecipientVerdict::unknown),
                                "<" + std::string(5000, 'a') + "@example.org>");
    CHECK(big.text.size() < 400);
}

TEST_CASE("a reply showing a hostile sender and login fits libmilter and RFC 5321") {
    // Found with the milter fuzz harness's property: 300 '%' in both made a 1,077-byte text,
    // which smfi_setreply refuses (MAXREPLYLEN 980), so the MTA answered its default.
    using V = Result<SenderVerdict>;
    const std::string percents(300, '%');
    Reply r = sender_reply(V::found(SenderVerdict::not_owned), percents,
                           "<" + percents + "@example.org>", UnauthenticatedSenders::off);
    CHECK(r.action == Answer::reject);
    CHECK(r.text.size() <= 980);
    CHECK(r.line().size() + 2 <= 512);
    CHECK(r.text.find("%%%%") != std::string::npos);
}

TEST_CASE("sender replies and the policy for unauthenticated senders") {
    using V = Result<SenderVerdict>;
    using U = UnauthenticatedSenders;
    CHECK(sender_reply(V::found(SenderVerdict::allowed), "bob@example.org", "<bob@example.org>",
                       U::off)
              .action == Answer::accept);
    Reply foreign = sender_reply(V::found(SenderVerdict::not_owned), "bob@example.org",
                                 "<alice@example.org>", U::off);
    CHECK(foreign.action == Answer::reject);
    CHECK(foreign.line() == "550 5.7.1 <alice@example.org>: Sender address rejected: not owned "
                            "by user bob@example.org");
    CHECK(
        sender_reply(V::temp_fail("down"), "bob@example.org", "<bob@example.org>", U::off).line() ==
        "451 4.3.0 <bob@example.org>: Temporary lookup failure");

    V claim = V::found(SenderVerdict::unauthenticated_hosted);
    CHECK(sender_reply(claim, "", "<alice@example.org>", U::off).action == Answer::accept);
    Reply logged = sender_reply(claim, "", "<alice@example.org>", U::log);
    CHECK(logged.action == Answer::accept);
    CHECK(logged.level == LogLevel::info);
    CHECK(!logged.log.empty());
    // Directory trouble: only logging never defers; refusing cannot decide, so it defers.
    Reply unchecked = sender_reply(V::temp_fail("down"), "", "<alice@example.org>", U::log);
    CHECK(unchecked.action == Answer::accept);
    CHECK(unchecked.level == LogLevel::warning);
    CHECK(unchecked.log.find("temporary failure: down") != std::string::npos);
    CHECK(sender_reply(V::temp_fail("down"), "", "<alice@example.org>", U::reject).action ==
          Answer::tempfail);
    Reply refused = sender_reply(claim, "", "<alice@example.org>", U::reject);
    CHECK(refused.line() ==
          "550 5.7.1 <alice@example.org>: Sender address rejected: not logged in");
}

TEST_CASE("option values") {
    CHECK(parse_mode("reject") == Mode::reject);
    CHECK(parse_mode("test") == Mode::test);
    CHECK_FALSE(parse_mode("Reject"));
    CHECK(parse_unauthenticated("log") == UnauthenticatedSenders::log);
    CHECK_FALSE(parse_unauthenticated("yes"));
}
