// The expected answers of every map over the example directories
// (examples/ldif/*.ldif), shared by the unit tests (in-memory directory) and
// the integration tests (real slapd): both must answer the same.
#pragma once

#include "vmaildir/directory/result.hpp"

#include <string>
#include <vector>

namespace vmaildir::test {

struct Row {
    const char* name;
    const char* presets; ///< which example directories the row applies to
    const char* map;
    std::string key;
    Outcome outcome;
    std::vector<std::string> values; ///< for found rows
};

inline const std::string big_key = std::string(1000, 'a') + "@example.org";

// clang-format off
inline const std::vector<Row> example_rows = {
    // Step 1: the domain must be live and hosted.
    {"hosted domain", "jamm courier mailrouter", "domain", "example.org", Outcome::found, {"example.org"}},
    {"domain in upper case", "jamm courier mailrouter", "domain", "EXAMPLE.NET.", Outcome::found, {"example.net"}},
    {"inactive domain is still hosted", "jamm", "domain", "disabled.test", Outcome::found, {"disabled.test"}},
    {"unknown domain", "jamm courier mailrouter", "domain", "unknown.test", Outcome::not_found, {}},
    {"the base itself is no domain", "courier", "domain", "hosting", Outcome::not_found, {}},
    {"address is no domain key", "jamm", "domain", "alice@example.org", Outcome::not_found, {}},
    {"unknown domain's address", "jamm courier mailrouter", "alias", "alice@unknown.test", Outcome::not_found, {}},
    {"inactive domain's live account", "jamm", "alias", "gina@disabled.test", Outcome::not_found, {}},
    {"inactive domain's mailbox", "jamm", "mailbox", "gina@disabled.test", Outcome::not_found, {}},

    // Step 2: explicit aliases; Step 3: accounts answer themselves.
    {"account answers itself", "jamm courier mailrouter", "alias", "alice@example.org", Outcome::found, {"alice@example.org"}},
    {"account, original case kept", "jamm courier mailrouter", "alias", "Alice@Example.ORG", Outcome::found, {"Alice@Example.ORG"}},
    {"angle brackets stripped", "jamm courier mailrouter", "alias", "<alice@example.org>", Outcome::found, {"alice@example.org"}},
    {"alias fan-out", "jamm courier mailrouter", "alias", "info@example.org", Outcome::found, {"alice@example.org", "bob@example.org"}},
    {"nested alias, one level", "jamm courier mailrouter", "alias", "sales@example.org", Outcome::found, {"info@example.org"}},
    {"forward and keep a copy", "jamm courier mailrouter", "alias", "frank@example.org", Outcome::found, {"frank@example.org", "frank@elsewhere.test"}},
    {"inactive account", "jamm", "alias", "dave@example.org", Outcome::not_found, {}},
    {"deleted account", "jamm", "alias", "erin@example.org", Outcome::not_found, {}},
    {"inactive alias", "jamm", "alias", "old@example.org", Outcome::not_found, {}},
    {"unknown address", "jamm courier mailrouter", "alias", "nobody@example.org", Outcome::not_found, {}},
    {"postmaster role is an alias", "jamm courier mailrouter", "alias", "postmaster@example.org", Outcome::found, {"alice@example.org"}},

    // Step 4: sub-addresses.
    {"sub-address of an account keeps the tag", "jamm courier mailrouter", "alias", "alice+news@example.org", Outcome::found, {"alice+news@example.org"}},
    {"sub-address of an alias", "jamm courier mailrouter", "alias", "info+x@example.org", Outcome::found, {"alice@example.org", "bob@example.org"}},
    {"sub-address of an unknown user", "jamm", "alias", "nobody+x@example.org", Outcome::not_found, {}},
    {"sub-address of an inactive account", "jamm", "alias", "dave+x@example.org", Outcome::not_found, {}},
    {"leading delimiter is no sub-address", "jamm", "alias", "+alice@example.org", Outcome::not_found, {}},

    // Step 5: the catch-all catches only what nothing else answers.
    {"catch-all catches the unknown", "jamm courier mailrouter", "alias", "whoever@example.net", Outcome::found, {"carol@example.net"}},
    {"catch-all never swallows an account", "jamm courier mailrouter", "alias", "carol@example.net", Outcome::found, {"carol@example.net"}},
    {"catch-all never swallows a sub-address", "jamm courier mailrouter", "alias", "carol+x@example.net", Outcome::found, {"carol+x@example.net"}},
    {"explicit alias beats the catch-all", "jamm courier mailrouter", "alias", "postmaster@example.net", Outcome::found, {"carol@example.net"}},
    {"no catch-all in example.org", "jamm courier mailrouter", "alias", "whoever@example.org", Outcome::not_found, {}},

    // recipient: the final set after recursive expansion.
    {"recipient of an account", "jamm courier mailrouter", "recipient", "bob@example.org", Outcome::found, {"bob@example.org"}},
    {"recipient through nested aliases", "jamm courier mailrouter", "recipient", "sales@example.org", Outcome::found, {"alice@example.org", "bob@example.org"}},
    {"recipient keeps a forwarded copy", "jamm courier mailrouter", "recipient", "frank@example.org", Outcome::found, {"frank@example.org", "frank@elsewhere.test"}},
    {"recipient through the catch-all", "jamm courier mailrouter", "recipient", "x@example.net", Outcome::found, {"carol@example.net"}},
    {"recipient loop defers", "jamm courier mailrouter", "recipient", "loop1@example.org", Outcome::temp_fail, {}},
    {"alias of a loop defers too", "jamm courier mailrouter", "alias", "loop2@example.org", Outcome::temp_fail, {}},
    {"recipient unknown", "jamm courier mailrouter", "recipient", "nobody@example.org", Outcome::not_found, {}},

    // mailbox, uid, gid, quota: live accounts only (sub-address removed).
    {"mailbox of an account", "jamm courier", "mailbox", "alice@example.org", Outcome::found, {"example.org/alice/"}},
    {"mailbox of an account (absolute)", "mailrouter", "mailbox", "alice@example.org", Outcome::found, {"/var/mail/vhosts/example.org/alice/"}},
    {"mailbox of a sub-address", "jamm courier", "mailbox", "alice+tag@example.org", Outcome::found, {"example.org/alice/"}},
    {"no mailbox for an alias", "jamm courier mailrouter", "mailbox", "info@example.org", Outcome::not_found, {}},
    {"no mailbox through the catch-all", "jamm courier mailrouter", "mailbox", "x@example.net", Outcome::not_found, {}},
    {"no mailbox for an inactive account", "jamm", "mailbox", "dave@example.org", Outcome::not_found, {}},
    {"uid from the entry", "jamm courier mailrouter", "uid", "alice@example.org", Outcome::found, {"5000"}},
    {"gid from the entry", "jamm courier mailrouter", "gid", "carol@example.net", Outcome::found, {"5000"}},
    {"quota as stored", "jamm courier", "quota", "alice@example.org", Outcome::found, {"100000000S"}},
    {"quota as stored (mailrouter)", "mailrouter", "quota", "alice@example.org", Outcome::found, {"100M"}},
    {"no quota set", "courier", "quota", "bob@example.org", Outcome::not_found, {}},

    // transport: by domain, never the '*' probe.
    {"transport of an address", "jamm", "transport", "alice@example.org", Outcome::found, {"virtual:"}},
    {"transport default when the layout has none", "courier mailrouter", "transport", "alice@example.org", Outcome::found, {"virtual:"}},
    {"transport of a bare domain", "jamm courier mailrouter", "transport", "example.net", Outcome::found, {"virtual:"}},
    {"transport of any address of a hosted domain", "jamm", "transport", "nobody@example.org", Outcome::found, {"virtual:"}},
    {"transport wildcard probe", "jamm courier mailrouter", "transport", "*", Outcome::not_found, {}},
    {"transport of an inactive domain", "jamm", "transport", "gina@disabled.test", Outcome::not_found, {}},
    {"transport of a foreign domain", "jamm", "transport", "x@elsewhere.test", Outcome::not_found, {}},

    // sender: who may send as an address.
    {"sender: the account itself", "jamm courier mailrouter", "sender", "bob@example.org", Outcome::found, {"bob@example.org"}},
    {"sender: alias destinations that are accounts", "jamm courier mailrouter", "sender", "info@example.org", Outcome::found, {"alice@example.org", "bob@example.org"}},
    {"sender: forwarding account owns itself once", "jamm courier mailrouter", "sender", "frank@example.org", Outcome::found, {"frank@example.org"}},
    {"sender: postmaster", "jamm courier mailrouter", "sender", "postmaster@example.org", Outcome::found, {"alice@example.org"}},
    {"sender: sub-address of an account", "jamm courier mailrouter", "sender", "bob+x@example.org", Outcome::found, {"bob@example.org"}},
    {"sender: never through the catch-all", "jamm courier mailrouter", "sender", "whoever@example.net", Outcome::not_found, {}},
    {"sender: nested alias owns nothing directly", "jamm courier mailrouter", "sender", "sales@example.org", Outcome::not_found, {}},
    {"sender: inactive account", "jamm", "sender", "dave@example.org", Outcome::not_found, {}},

    // Hostile keys: never found, never an error, never a wider search.
    {"star", "jamm courier mailrouter", "alias", "*", Outcome::not_found, {}},
    {"star local part", "jamm courier mailrouter", "alias", "*@example.org", Outcome::not_found, {}},
    {"star sender", "jamm courier mailrouter", "sender", "*@example.org", Outcome::not_found, {}},
    {"star mailbox", "jamm courier mailrouter", "mailbox", "*@example.org", Outcome::not_found, {}},
    {"star domain", "jamm courier mailrouter", "domain", "*", Outcome::not_found, {}},
    {"filter injection", "jamm courier mailrouter", "alias", "*)(objectClass=*@example.org", Outcome::not_found, {}},
    {"filter injection in the domain", "jamm courier mailrouter", "alias", "alice@example.org)(jvd=*", Outcome::not_found, {}},
    {"backslash", "jamm courier mailrouter", "alias", "a\\2a@example.org", Outcome::not_found, {}},
    {"NUL inside", "jamm courier mailrouter", "alias", std::string("alice\0x@example.org", 19), Outcome::not_found, {}},
    {"1000 characters", "jamm courier mailrouter", "alias", big_key, Outcome::not_found, {}},
    {"empty key", "jamm courier mailrouter", "alias", "", Outcome::not_found, {}},
    {"empty brackets (null sender)", "jamm courier mailrouter", "sender", "<>", Outcome::not_found, {}},
    {"no domain", "jamm courier mailrouter", "alias", "alice", Outcome::not_found, {}},
};
// clang-format on

/// What an MTA answers at RCPT for a recipient, whichever host it is.
enum class Rcpt { accepted, unknown, try_later };

/// One recipient of the example Jamm directory as every host must treat it: the same reply
/// class at RCPT (250 / 550 5.1.1 / 451) and the same final destinations — the Maildirs
/// (relative to the Maildir base) and the addresses that leave the host.  The Postfix and
/// Exim tests send each row through their MTA, the CLI test asks `vmaildir lookup recipient`.
struct RecipientRow {
    const char* name;
    std::string address;
    Rcpt rcpt;
    std::vector<std::string> maildirs;
    std::vector<std::string> remote;
};

// clang-format off
inline const std::vector<RecipientRow> example_recipients = {
    {"an account", "alice@example.org", Rcpt::accepted, {"example.org/alice/"}, {}},
    {"a sub-address", "alice+news@example.org", Rcpt::accepted, {"example.org/alice/"}, {}},
    {"mixed case", "Bob@Example.ORG", Rcpt::accepted, {"example.org/bob/"}, {}},
    {"alias fan-out", "info@example.org", Rcpt::accepted, {"example.org/alice/", "example.org/bob/"}, {}},
    {"nested alias", "sales@example.org", Rcpt::accepted, {"example.org/alice/", "example.org/bob/"}, {}},
    {"the postmaster role", "postmaster@example.org", Rcpt::accepted, {"example.org/alice/"}, {}},
    {"forward and keep a copy", "frank@example.org", Rcpt::accepted, {"example.org/frank/"}, {"frank@elsewhere.test"}},
    {"the catch-all", "whoever@example.net", Rcpt::accepted, {"example.net/carol/"}, {}},
    {"an account in a catch-all domain", "carol@example.net", Rcpt::accepted, {"example.net/carol/"}, {}},
    {"an unknown address", "nobody@example.org", Rcpt::unknown, {}, {}},
    {"an inactive account", "dave@example.org", Rcpt::unknown, {}, {}},
    {"a deleted account", "erin@example.org", Rcpt::unknown, {}, {}},
    {"an inactive domain's account", "gina@disabled.test", Rcpt::unknown, {}, {}},
    {"an inactive alias", "old@example.org", Rcpt::unknown, {}, {}},
    {"an unknown sub-address", "nobody+x@example.org", Rcpt::unknown, {}, {}},
    {"a star", "*@example.org", Rcpt::unknown, {}, {}},
    {"a DN-like local part", "cn=admin@example.org", Rcpt::unknown, {}, {}},
    {"an alias loop", "loop1@example.org", Rcpt::try_later, {}, {}},
};
// clang-format on

/// The final addresses of a row (`vmaildir lookup recipient`): example.org/alice/ is
/// alice@example.org.
inline std::vector<std::string> final_addresses(const RecipientRow& row) {
    std::vector<std::string> out;
    for (const std::string& m : row.maildirs) {
        auto slash = m.find('/');
        out.push_back(m.substr(slash + 1, m.size() - slash - 2) + "@" + m.substr(0, slash));
    }
    out.insert(out.end(), row.remote.begin(), row.remote.end());
    return out;
}

/// An LDIF change adding a live account to the example Jamm directory (Maildir
/// DOMAIN/LOCAL/, uid and gid 5000), for tests that need many of them.
inline std::string account_ldif(const std::string& local, const std::string& domain) {
    return "dn: mail=" + local + "@" + domain + ",jvd=" + domain +
           ",o=hosting,dc=example,dc=com\nchangetype: add\nobjectClass: JammMailAccount\n"
           "mail: " +
           local + "@" + domain + "\nmailbox: " + domain + "/" + local +
           "/\nhomeDirectory: /var/mail/vhosts\nuidNumber: 5000\ngidNumber: 5000\n"
           "accountActive: TRUE\ndelete: FALSE\n\n";
}

/// The catch-all drill of the MTA tests: 50 live accounts user01..user50 added to
/// example.net, whose catch-all goes to carol; none of their mail may reach carol.
struct CatchallDrill {
    std::string ldif;
    std::vector<std::string> users;
    std::string recipients; ///< all fifty addresses, comma-separated (swaks --to)
};
inline CatchallDrill catchall_drill() {
    CatchallDrill d;
    for (int i = 1; i <= 50; ++i) {
        std::string local = "user" + std::string(i < 10 ? "0" : "") + std::to_string(i);
        d.users.push_back(local);
        d.ldif += account_ldif(local, "example.net");
        d.recipients += (d.recipients.empty() ? "" : ",") + local + "@example.net";
    }
    return d;
}

inline bool applies(const Row& row, const std::string& preset) {
    std::string list = std::string(" ") + row.presets + " ";
    return list.find(" " + preset + " ") != std::string::npos;
}

} // namespace vmaildir::test
