// Delegated administration (SPEC §5): the full decide() matrix from an explicit expectation
// table, and the properties every Decision must have.  The same matrix as slapd access rules
// is tests/unit/library/access_rules_test.cpp.
#include "vmaildir/admin/acl.hpp"

#include <cstddef>
#include <doctest/doctest.h>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using vmaildir::AclPolicy;
using vmaildir::Action;
using vmaildir::Actor;
using vmaildir::decide;
using vmaildir::Decision;
using vmaildir::Target;

namespace {

const std::string base = "o=hosting,dc=example,dc=com";
const std::string bob_dn = "mail=bob@example.org,jvd=example.org," + base;
const std::string carol_dn = "mail=carol@example.org,jvd=example.org," + base;

// ---------------------------------------------------------------------------------------------
// The matrix.  Columns (actors), for a target entry bob@example.org in domain example.org:
//   site    site admin
//   da      domain admin of example.org
//   other   domain admin of example.net only
//   self    bob himself (the target is his own entry and address)
//   user    bob acting on carol's entry (authenticated, not admin, not self)
//   anon    anonymous, policy.anonymous_read on
//   anoff   anonymous, policy.anonymous_read off
// Cells: Y allowed, N denied, A allowed iff the domain's can_edit_accounts,
// P allowed iff its can_appoint_postmasters, Q allowed iff policy.domain_admin_sets_quota.
enum Column { site, da, other, self, user, anon, anoff, column_count };
const char* const column_names[] = {
    "site admin", "domain admin of D", "domain admin of other",        "self",
    "other user", "anonymous",         "anonymous, anonymous_read off"};

struct Row {
    Action action;
    const char* cells; // one letter per column, spaces ignored
};

// clang-format off
const Row matrix[] = {
    //                                      site da other self user anon anoff
    {Action::create_domain,               "Y    N   N    N    N    N    N"},
    {Action::delete_domain,               "Y    N   N    N    N    N    N"},
    {Action::set_domain_active,           "Y    N   N    N    N    N    N"},
    {Action::set_domain_capabilities,     "Y    N   N    N    N    N    N"},
    {Action::create_account,              "Y    A   N    N    N    N    N"},
    {Action::delete_account,              "Y    A   N    N    N    N    N"},
    {Action::modify_account,              "Y    Y   N    N    N    N    N"},
    {Action::set_account_quota,           "Y    Q   N    N    N    N    N"},
    {Action::set_password,                "Y    Y   N    Y    N    N    N"},
    {Action::create_alias,                "Y    Y   N    N    N    N    N"},
    {Action::delete_alias,                "Y    Y   N    N    N    N    N"},
    {Action::set_catch_all,               "Y    Y   N    N    N    N    N"},
    {Action::change_alias_destinations,   "Y    Y   N    Y    N    N    N"},
    {Action::appoint_postmaster,          "Y    P   N    N    N    N    N"},
    {Action::revoke_postmaster,           "Y    P   N    N    N    N    N"},
    {Action::read_attributes,             "Y    Y   Y    Y    Y    Y    N"},
    {Action::read_password,               "N    N   N    N    N    N    N"},
};
// clang-format on

struct Flags {
    bool edit_accounts;
    bool appoint_postmasters;
    bool admin_sets_quota;
};

std::string describe(const Flags& f) {
    return std::string("editAccounts=") + (f.edit_accounts ? "on" : "off") +
           " editPostmasters=" + (f.appoint_postmasters ? "on" : "off") +
           " domain_admin_sets_quota=" + (f.admin_sets_quota ? "on" : "off");
}

bool expected(char cell, const Flags& f) {
    switch (cell) {
    case 'Y':
        return true;
    case 'N':
        return false;
    case 'A':
        return f.edit_accounts;
    case 'P':
        return f.appoint_postmasters;
    case 'Q':
        return f.admin_sets_quota;
    }
    FAIL("bad cell '" << cell << "' in the expectation table");
    return false;
}

std::string cells_of(const Row& row) {
    std::string out;
    for (const char* p = row.cells; *p; ++p)
        if (*p != ' ')
            out += *p;
    return out;
}

Actor actor_for(Column c) {
    Actor a;
    switch (c) {
    case site:
        a.dn = "cn=siteadmin,dc=example,dc=com";
        a.site_admin = true;
        break;
    case da:
        a.dn = "mail=alice@example.org,jvd=example.org," + base;
        a.address = "alice@example.org";
        a.administered_domains = {"example.org"};
        break;
    case other:
        a.dn = "mail=carol@example.net,jvd=example.net," + base;
        a.address = "carol@example.net";
        a.administered_domains = {"example.net"};
        break;
    case self:
    case user:
        a.dn = bob_dn;
        a.address = "bob@example.org";
        break;
    case anon:
    case anoff:
    case column_count:
        break;
    }
    return a;
}

Target target_for(Column c, const Flags& f) {
    Target t;
    t.domain = "example.org";
    t.can_edit_accounts = f.edit_accounts;
    t.can_appoint_postmasters = f.appoint_postmasters;
    if (c == user) {
        t.entry_dn = carol_dn;
        t.entry_address = "carol@example.org";
    } else {
        t.entry_dn = bob_dn;
        t.entry_address = "bob@example.org";
    }
    return t;
}

bool one_line_reason(const Decision& d) {
    if (d.reason.empty() || d.reason.find('\n') != std::string::npos)
        return false;
    const std::string prefix = d.allowed ? "allowed: " : "denied: ";
    return d.reason.compare(0, prefix.size(), prefix) == 0 && d.reason.size() > prefix.size();
}

} // namespace

TEST_CASE("acl: the expectation table covers every action once, in declaration order") {
    const auto& actions = vmaildir::all_actions();
    REQUIRE(actions.size() == std::size(matrix));
    for (std::size_t i = 0; i < actions.size(); ++i) {
        CAPTURE(i);
        CHECK(actions[i] == matrix[i].action);
        CHECK(cells_of(matrix[i]).size() == column_count);
    }
    CHECK(actions.front() == Action::create_domain);
    CHECK(actions.back() == Action::read_password);
}

TEST_CASE("acl: full matrix, every action x actor x capability flags") {
    int checked = 0;
    for (const Row& row : matrix) {
        const std::string cells = cells_of(row);
        for (int c = 0; c < column_count; ++c) {
            for (int bits = 0; bits < 8; ++bits) {
                const Flags flags{(bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0};
                AclPolicy policy;
                policy.anonymous_read = c != anoff;
                policy.domain_admin_sets_quota = flags.admin_sets_quota;
                const auto column = static_cast<Column>(c);
                const Decision d =
                    decide(actor_for(column), row.action, target_for(column, flags), policy);
                INFO(vmaildir::to_string(row.action) << " by " << column_names[c] << " with "
                                                     << describe(flags) << ": " << d.reason);
                CHECK(d.allowed == expected(cells[static_cast<std::size_t>(c)], flags));
                CHECK(one_line_reason(d));
                ++checked;
            }
        }
    }
    CHECK(checked == 17 * 7 * 8);
}

TEST_CASE("acl: reasons name the role and the rule") {
    AclPolicy policy;
    Flags off{false, false, false};
    Flags on{true, true, true};

    SUBCASE("the brief's example, verbatim") {
        Decision d = decide(actor_for(da), Action::create_account, target_for(da, off), policy);
        CHECK(d.reason == "denied: domain admin of example.org may not create accounts "
                          "(editAccounts is off)");
    }
    SUBCASE("capability on") {
        Decision d = decide(actor_for(da), Action::create_account, target_for(da, on), policy);
        CHECK(d.allowed);
        CHECK(d.reason.find("domain admin of example.org") != std::string::npos);
        CHECK(d.reason.find("editAccounts is on") != std::string::npos);
    }
    SUBCASE("postmaster appointment off") {
        Decision d = decide(actor_for(da), Action::appoint_postmaster, target_for(da, off), policy);
        CHECK(d.reason.find("editPostmasters is off") != std::string::npos);
    }
    SUBCASE("quota policy off") {
        Decision d = decide(actor_for(da), Action::set_account_quota, target_for(da, off), policy);
        CHECK(d.reason.find("domain_admin_sets_quota is off") != std::string::npos);
    }
    SUBCASE("site-only action for a domain admin") {
        Decision d = decide(actor_for(da), Action::set_domain_active, target_for(da, on), policy);
        CHECK_FALSE(d.allowed);
        CHECK(d.reason.find("site admins only") != std::string::npos);
    }
    SUBCASE("site admin") {
        Decision d = decide(actor_for(site), Action::delete_domain, target_for(site, off), policy);
        CHECK(d.allowed);
        CHECK(d.reason.find("site admin") != std::string::npos);
    }
    SUBCASE("admin of another domain is told which domain it lacks") {
        Decision d =
            decide(actor_for(other), Action::modify_account, target_for(other, on), policy);
        CHECK_FALSE(d.allowed);
        CHECK(d.reason.find("not a domain admin of example.org") != std::string::npos);
    }
    SUBCASE("self, somebody else's password") {
        Decision d = decide(actor_for(user), Action::set_password, target_for(user, on), policy);
        CHECK_FALSE(d.allowed);
        CHECK(d.reason.find("own entry") != std::string::npos);
    }
    SUBCASE("anonymous read policy") {
        policy.anonymous_read = false;
        Decision d = decide(Actor{}, Action::read_attributes, target_for(anon, on), policy);
        CHECK_FALSE(d.allowed);
        CHECK(d.reason.find("anonymous_read is off") != std::string::npos);
    }
    SUBCASE("nobody reads the password") {
        Decision d = decide(actor_for(site), Action::read_password, target_for(site, on), policy);
        CHECK_FALSE(d.allowed);
        CHECK(d.reason.find("authentication is not reading") != std::string::npos);
    }
}

TEST_CASE("acl: a domain admin never acts without or outside its domain") {
    AclPolicy policy;
    policy.domain_admin_sets_quota = true;
    Actor admin = actor_for(da);
    Target t = target_for(da, Flags{true, true, true});
    t.domain.clear(); // e.g. a site-level target

    for (Action a : vmaildir::all_actions()) {
        const std::string name = vmaildir::to_string(a);
        CAPTURE(name);
        Decision d = decide(admin, a, t, policy);
        // Only what any authenticated user may do survives: reading non-secret attributes.
        CHECK(d.allowed == (a == Action::read_attributes));
        CHECK(one_line_reason(d));
        if (!d.allowed && a != Action::read_password)
            CHECK(d.reason.find("no target domain") != std::string::npos);
    }

    SUBCASE("a domain that merely contains D's name is another domain") {
        Target sub = target_for(da, Flags{true, true, true});
        sub.domain = "sub.example.org";
        CHECK_FALSE(decide(admin, Action::create_alias, sub, policy).allowed);
        sub.domain = "example.org.evil.test";
        CHECK_FALSE(decide(admin, Action::create_alias, sub, policy).allowed);
    }
    SUBCASE("administering a name that contains D is not administering D") {
        Target d = target_for(da, Flags{true, true, true});
        for (const char* held : {"sub.example.org", "notexample.org", "example.org.", ""}) {
            CAPTURE(held);
            Actor look_alike = admin;
            look_alike.administered_domains = {held};
            CHECK_FALSE(decide(look_alike, Action::create_alias, d, policy).allowed);
        }
    }
}

TEST_CASE("acl: domain names compare case-insensitively") {
    AclPolicy policy;
    Actor admin = actor_for(da);
    admin.administered_domains = {"Example.ORG"};
    Target t = target_for(da, Flags{true, true, false});
    CHECK(decide(admin, Action::create_account, t, policy).allowed);
    t.domain = "EXAMPLE.org";
    CHECK(decide(admin, Action::create_account, t, policy).allowed);
    SUBCASE("one of several administered domains") {
        admin.administered_domains = {"example.net", "example.org", "example.com"};
        CHECK(decide(admin, Action::delete_alias, t, policy).allowed);
    }
}

TEST_CASE("acl: self is decided on normalised DNs") {
    AclPolicy policy;
    Target t = target_for(self, Flags{});
    struct Case {
        const char* name;
        std::string actor_dn;
        bool same;
    };
    const Case cases[] = {
        {"identical", bob_dn, true},
        {"upper-case types and values",
         "MAIL=Bob@Example.ORG,JVD=Example.org,O=Hosting,DC=Example,DC=Com", true},
        {"spaces after commas and around '='",
         "mail = bob@example.org, jvd=example.org,  o=hosting, dc=example, dc=com", true},
        {"hex-escaped character", "mail=bob\\40example.org,jvd=example.org," + base, true},
        {"another entry", carol_dn, false},
        {"a prefix of the DN", "jvd=example.org," + base, false},
        {"same RDN, other domain", "mail=bob@example.org,jvd=example.net," + base, false},
        {"malformed", "mail=bob@example.org,,jvd", false},
    };
    for (const Case& c : cases) {
        CAPTURE(c.name);
        Actor a;
        a.dn = c.actor_dn;
        CHECK(decide(a, Action::set_password, t, policy).allowed == c.same);
    }
    SUBCASE("escaped comma, two spellings") {
        Actor a;
        a.dn = "cn=Smith\\, John,jvd=example.org," + base;
        Target odd = t;
        odd.entry_dn = "cn=smith\\2c john,jvd=example.org," + base;
        CHECK(decide(a, Action::set_password, odd, policy).allowed);
    }
    SUBCASE("empty target DN is nobody's own entry") {
        Actor a;
        a.dn = bob_dn;
        Target none = t;
        none.entry_dn.clear();
        none.entry_address.clear();
        CHECK_FALSE(decide(a, Action::set_password, none, policy).allowed);
    }
}

TEST_CASE("acl: own alias is decided on the address, for alias destinations only") {
    AclPolicy policy;
    Actor frank;
    frank.dn = "mail=frank@example.org,o=example.org," + base;
    frank.address = "frank@example.org";
    Target forward; // Courier keeps frank's forward in a separate entry with his address
    forward.domain = "example.org";
    forward.entry_dn = "cn=frank-forward,o=example.org," + base;
    forward.entry_address = "Frank@Example.org";

    CHECK(decide(frank, Action::change_alias_destinations, forward, policy).allowed);
    CHECK_FALSE(decide(frank, Action::set_password, forward, policy).allowed);
    CHECK_FALSE(decide(frank, Action::delete_alias, forward, policy).allowed);

    SUBCASE("another address") {
        forward.entry_address = "frankie@example.org";
        CHECK_FALSE(decide(frank, Action::change_alias_destinations, forward, policy).allowed);
    }
    SUBCASE("two empty addresses are not a match") {
        frank.address.clear();
        forward.entry_address.clear();
        CHECK_FALSE(decide(frank, Action::change_alias_destinations, forward, policy).allowed);
    }
    SUBCASE("an anonymous actor owns nothing, whatever address it claims") {
        frank.dn.clear();
        CHECK_FALSE(decide(frank, Action::change_alias_destinations, forward, policy).allowed);
    }
}

TEST_CASE("acl: an actor without a DN is anonymous, whatever else it claims") {
    AclPolicy policy;
    Actor forged;
    forged.site_admin = true;
    forged.administered_domains = {"example.org"};
    forged.address = "bob@example.org";
    Target t = target_for(da, Flags{true, true, true});
    for (Action a : vmaildir::all_actions()) {
        const std::string name = vmaildir::to_string(a);
        CAPTURE(name);
        Decision d = decide(forged, a, t, policy);
        CHECK(d.allowed == (a == Action::read_attributes));
        if (a != Action::read_password) // "nobody may read userPassword" names no role
            CHECK(d.reason.find("anonymous") != std::string::npos);
    }
}

TEST_CASE("acl: a hostile domain name keeps every reason on one line") {
    AclPolicy policy;
    Flags on{true, true, true};
    for (int c = 0; c < column_count; ++c) {
        const auto column = static_cast<Column>(c);
        Actor a = actor_for(column);
        Target t = target_for(column, on);
        t.domain = "evil\r\norg\x1b[31m";
        if (column == da)
            a.administered_domains = {t.domain};
        for (Action action : vmaildir::all_actions()) {
            Decision d = decide(a, action, t, policy);
            CAPTURE(d.reason);
            CHECK(one_line_reason(d));
            CHECK(d.reason.find('\r') == std::string::npos);
            CHECK(d.reason.find('\x1b') == std::string::npos);
        }
    }
}

TEST_CASE("acl: decide is total") {
    AclPolicy policy;
    const auto bogus = static_cast<Action>(999);
    Decision d = decide(actor_for(site), bogus, target_for(site, Flags{}), policy);
    CHECK_FALSE(d.allowed);
    CHECK(one_line_reason(d));
    CHECK(std::string(vmaildir::to_string(bogus)) == "unknown-action");
    CHECK_FALSE(Decision{}.allowed);
}

TEST_CASE("acl: action names") {
    CHECK(std::string(vmaildir::to_string(Action::create_account)) == "create-account");
    CHECK(std::string(vmaildir::to_string(Action::change_alias_destinations)) ==
          "change-alias-destinations");
    CHECK(std::string(vmaildir::to_string(Action::read_password)) == "read-password");
    std::set<std::string> seen;
    for (Action a : vmaildir::all_actions()) {
        std::string name = vmaildir::to_string(a);
        CAPTURE(name);
        CHECK(seen.insert(name).second);
        CHECK(!name.empty());
        for (char ch : name)
            CHECK(((ch >= 'a' && ch <= 'z') || ch == '-'));
    }
}
