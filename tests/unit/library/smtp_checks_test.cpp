// SMTP-time verdicts (vmaildir/service/smtp_checks.hpp) over the example Jamm
// directory: the shared table of recipients (support/example_rows.hpp) decides
// what every RCPT verdict must be, as it does for the Postfix and Exim tests.
#include "support/example_rows.hpp"
#include "support/fixtures.hpp"
#include "vmaildir/service/smtp_checks.hpp"

#include <doctest/doctest.h>

using namespace vmaildir;
using test::Fixture;
using Mode = test::ScriptedDirectory::Mode;

TEST_CASE("check_recipient answers every row of the shared recipient table") {
    Fixture f("jamm");
    for (const test::RecipientRow& row : test::example_recipients) {
        CAPTURE(row.name);
        auto v = check_recipient(*f.service, "<" + row.address + ">");
        switch (row.rcpt) {
        case test::Rcpt::accepted:
            REQUIRE(v.is_found());
            CHECK(v.value() == RecipientVerdict::deliverable);
            break;
        case test::Rcpt::unknown:
            REQUIRE(v.is_found());
            CHECK(v.value() == RecipientVerdict::unknown);
            break;
        case test::Rcpt::try_later:
            CHECK(v.is_temp_fail());
            break;
        }
    }
}

TEST_CASE("check_recipient: foreign domains, hostile and malformed addresses") {
    Fixture f("jamm");
    auto verdict = [&](const std::string& a) {
        auto v = check_recipient(*f.service, a);
        REQUIRE(v.is_found());
        return v.value();
    };
    CHECK(verdict("<x@elsewhere.test>") == RecipientVerdict::foreign);
    CHECK(verdict("x@ELSEWHERE.test") == RecipientVerdict::foreign);
    CHECK(verdict("<>") == RecipientVerdict::foreign);
    CHECK(verdict("") == RecipientVerdict::foreign);
    CHECK(verdict("*") == RecipientVerdict::foreign);
    CHECK(verdict("<alice>") == RecipientVerdict::foreign); // no domain: the MTA's business
    CHECK(verdict("<*)(objectClass=*@example.org>") == RecipientVerdict::unknown);
    CHECK(verdict("<a\\2a@example.org>") == RecipientVerdict::unknown);
    CHECK(verdict("<" + test::big_key + ">") == RecipientVerdict::unknown);
    CHECK(verdict(std::string(1000, 'a') + "@elsewhere.test") == RecipientVerdict::foreign);
    CHECK(verdict("<alice@example.org)(jvd=*>") == RecipientVerdict::foreign);
    CHECK(verdict("<whoever@EXAMPLE.NET>") == RecipientVerdict::deliverable);
}

TEST_CASE("check_sender: ownership, the null sender, unauthenticated claims") {
    Fixture f("jamm");
    auto verdict = [&](const std::string& login, const std::string& sender) {
        auto v = check_sender(*f.service, login, sender);
        REQUIRE(v.is_found());
        return v.value();
    };
    CHECK(verdict("bob@example.org", "<bob@example.org>") == SenderVerdict::allowed);
    CHECK(verdict("Bob@Example.ORG", "<bob+list@example.org>") == SenderVerdict::allowed);
    CHECK(verdict("alice@example.org", "<info@example.org>") == SenderVerdict::allowed);
    CHECK(verdict("bob@example.org", "<alice@example.org>") == SenderVerdict::not_owned);
    CHECK(verdict("bob@example.org", "<bob@elsewhere.test>") == SenderVerdict::not_owned);
    CHECK(verdict("carol@example.net", "<whoever@example.net>") == SenderVerdict::not_owned);
    CHECK(verdict("bob@example.org", "<*@example.org>") == SenderVerdict::not_owned);
    CHECK(verdict("bob@example.org", "<>") == SenderVerdict::allowed);
    CHECK(verdict("", "<>") == SenderVerdict::allowed);
    CHECK(verdict("", "<alice@example.org>") == SenderVerdict::unauthenticated_hosted);
    CHECK(verdict("", "<whoever@disabled.test>") == SenderVerdict::unauthenticated_hosted);
    CHECK(verdict("", "<someone@elsewhere.test>") == SenderVerdict::allowed);
    CHECK(verdict("", "<" + test::big_key + ">") == SenderVerdict::unauthenticated_hosted);

    SUBCASE("a bare login is completed with default_domain") {
        Config c = test::example_config("jamm");
        c.auth.default_domain = "example.org";
        Fixture g("jamm", c);
        auto v = check_sender(*g.service, "bob", "<bob@example.org>");
        REQUIRE(v.is_found());
        CHECK(v.value() == SenderVerdict::allowed);
    }
}

TEST_CASE("SMTP checks defer on directory trouble, and warm checks search nothing") {
    Config cached = test::example_config("jamm");
    cached.cache.max_entries = 1000;
    Fixture f("jamm", cached);
    REQUIRE(check_recipient(*f.service, "<alice@example.org>").is_found());
    REQUIRE(check_recipient(*f.service, "<nobody@example.org>").is_found());
    REQUIRE(check_sender(*f.service, "bob@example.org", "<bob@example.org>").is_found());
    int searches = f.scripted->searches.load();
    for (int i = 0; i < 100; ++i) {
        CHECK(check_recipient(*f.service, "<alice@example.org>").value() ==
              RecipientVerdict::deliverable);
        CHECK(check_recipient(*f.service, "<nobody@example.org>").value() ==
              RecipientVerdict::unknown);
        CHECK(check_sender(*f.service, "bob@example.org", "<bob@example.org>").value() ==
              SenderVerdict::allowed);
    }
    CHECK(f.scripted->searches.load() == searches);

    f.scripted->mode = Mode::temp_fail; // what is not cached must defer
    CHECK(check_recipient(*f.service, "<carol@example.net>").is_temp_fail());
    CHECK(check_recipient(*f.service, "<x@elsewhere.test>").is_temp_fail());
    CHECK(check_sender(*f.service, "carol@example.net", "<carol@example.net>").is_temp_fail());
    CHECK(check_sender(*f.service, "", "<carol@example.net>").is_temp_fail());
    CHECK(check_sender(*f.service, "carol@example.net", "<>").is_found());

    auto broken = Service::broken("configuration unusable", *f.log);
    CHECK(check_recipient(*broken, "<alice@example.org>").is_temp_fail());
    CHECK(check_sender(*broken, "bob@example.org", "<bob@example.org>").is_temp_fail());
}
