// The generated slapd access rules (vmaildir/ldap/access_rules.hpp) of the three layouts:
// the text carries the directives that implement each row of the SPEC §5 matrix.  Their
// behaviour inside a real slapd is tests/integration/ldap_test.cpp.
#include "vmaildir/ldap/access_rules.hpp"
#include "vmaildir/model/schema.hpp"

#include <cstddef>
#include <doctest/doctest.h>
#include <iterator>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using vmaildir::AclPolicy;
using vmaildir::AclRuleSettings;
using vmaildir::Schema;

// ---------------------------------------------------------------------------------------------
// Generated slapd rules for the three preset layouts.

namespace {

const std::string base = "o=hosting,dc=example,dc=com";

Schema jamm_layout() {
    return *vmaildir::preset_schema("jamm");
}
Schema courier_layout() {
    return *vmaildir::preset_schema("courier");
}
Schema mailrouter_layout() {
    return *vmaildir::preset_schema("mailrouter");
}

AclRuleSettings settings_for(const std::string& search_base) {
    AclRuleSettings st;
    st.search_base = search_base;
    st.site_admin_dns = {"cn=siteadmin,dc=example,dc=com"};
    st.service_dn = "cn=vmaildir,dc=example,dc=com";
    return st;
}

// One `access to` directive with its `by` clauses, as rendered.
struct Parsed {
    std::string what;
    std::vector<std::string> by;
};

// Splits the text into directives, checking the shape slapd.conf needs: comment lines, blank
// lines, "access to ..." lines, and indented "by ..." continuation lines after a directive.
std::vector<Parsed> parse(const std::string& text) {
    std::vector<Parsed> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        CAPTURE(line);
        if (line.empty() || line[0] == '#')
            continue;
        if (line.rfind("access to ", 0) == 0) {
            out.push_back({line.substr(10), {}});
            continue;
        }
        REQUIRE(line.rfind("    by ", 0) == 0);
        REQUIRE(!out.empty());
        out.back().by.push_back(line.substr(7));
    }
    for (const Parsed& p : out) {
        CAPTURE(p.what);
        CHECK(!p.by.empty());
    }
    return out;
}

const Parsed* find(const std::vector<Parsed>& rules, const std::string& what) {
    for (const Parsed& p : rules)
        if (p.what == what)
            return &p;
    return nullptr;
}

bool has(const Parsed* p, const std::string& by) {
    if (!p)
        return false;
    for (const std::string& b : p->by)
        if (b == by)
            return true;
    return false;
}

std::size_t index_of(const std::vector<Parsed>& rules, const Parsed* p) {
    return static_cast<std::size_t>(p - rules.data());
}

// No rule hands a password value to anyone but the service: only =wx, auth and none.
void check_password_rule(const Parsed* p, const std::string& service_dn) {
    REQUIRE(p != nullptr);
    CAPTURE(p->what);
    for (const std::string& b : p->by) {
        CAPTURE(b);
        bool service = b.rfind("dn.exact=\"" + service_dn + "\"", 0) == 0;
        bool ok = service || b.ends_with(" =wx") || b == "anonymous auth" || b == "* none";
        CHECK(ok);
    }
    CHECK(p->by.back() == "* none");
}

} // namespace

TEST_CASE("acl rules: jamm") {
    AclPolicy policy;
    const std::string text =
        vmaildir::openldap_access_rules(jamm_layout(), settings_for(base), policy);
    const auto rules = parse(text);
    const std::string b = "o=hosting,dc=example,dc=com";
    const std::string role = "set.expand=\"[cn=postmaster,jvd=$1," + b + "]/roleOccupant & user\"";
    const std::string below = "dn.regex=\"^.+,jvd=([^,]+),o=hosting,dc=example,dc=com$\"";
    const std::string domain = "dn.regex=\"^jvd=([^,]+),o=hosting,dc=example,dc=com$\"";
    const std::string svc = "dn.exact=\"cn=vmaildir,dc=example,dc=com\"";
    const std::string siteadm = "dn.exact=\"cn=siteadmin,dc=example,dc=com\"";

    const Parsed* pw = find(rules, below + " attrs=userPassword");
    REQUIRE(pw != nullptr);
    CHECK(index_of(rules, pw) == 0); // most specific first
    CHECK(has(pw, svc + " read")); // compare mode reads a hash; no one's password is set by it
    CHECK_FALSE(has(pw, svc + " write"));
    CHECK(has(pw, siteadm + " =wx"));
    CHECK(has(pw, role + " =wx"));
    CHECK(has(pw, "self =wx"));
    CHECK(has(pw, "anonymous auth"));
    check_password_rule(pw, "cn=vmaildir,dc=example,dc=com");
    const Parsed* pw_any = find(rules, "attrs=userPassword");
    REQUIRE(pw_any != nullptr);
    CHECK(index_of(rules, pw_any) == 1);
    check_password_rule(pw_any, "cn=vmaildir,dc=example,dc=com");
    CHECK_FALSE(has(pw_any, role + " =wx"));

    const Parsed* flags =
        find(rules,
             domain + " attrs=accountActive,delete,editAccounts,editPostmasters,postfixTransport");
    REQUIRE(flags != nullptr);
    CHECK(has(flags, siteadm + " write"));
    CHECK_FALSE(has(flags, role + " write"));
    CHECK(has(flags, "users read"));
    CHECK(has(flags, "anonymous read"));

    const Parsed* children = find(rules, domain + " attrs=children");
    CHECK(has(children, role + " write"));
    const Parsed* domain_rest = find(rules, domain);
    REQUIRE(domain_rest != nullptr);
    CHECK_FALSE(has(domain_rest, role + " write")); // never deletes or renames its domain
    CHECK(index_of(rules, children) < index_of(rules, domain_rest));

    // The capabilities: the occupant set joined with the domain's flag, so that slapd refuses
    // what decide() refuses (tests/integration/admin_test.cpp proves it against slapd).
    const std::string domain_dn = "jvd=$1," + b;
    auto capable = [&](const std::string& flag) {
        return "set.expand=\"([cn=postmaster," + domain_dn + "]/roleOccupant & user) + ([" +
               domain_dn + "]/" + flag + " & [TRUE])\" write";
    };
    const Parsed* occupants =
        find(rules, "dn.regex=\"^cn=postmaster,jvd=([^,]+),o=hosting,dc=example,dc=com$\" "
                    "attrs=roleOccupant");
    CHECK(has(occupants, capable("editPostmasters")));
    CHECK_FALSE(has(occupants, role + " write"));
    const Parsed* accounts =
        find(rules, below + " filter=\"(objectClass=JammMailAccount)\" attrs=entry,delete");
    REQUIRE(accounts != nullptr);
    CHECK(has(accounts, capable("editAccounts")));
    CHECK(has(accounts, siteadm + " write"));
    CHECK_FALSE(has(accounts, role + " write"));
    const Parsed* role_entry = find(
        rules, "dn.regex=\"^cn=postmaster,jvd=([^,]+),o=hosting,dc=example,dc=com$\" attrs=entry");
    REQUIRE(role_entry != nullptr);
    CHECK_FALSE(has(role_entry, role + " write"));

    const Parsed* quota = find(rules, below + " attrs=quota");
    REQUIRE(quota != nullptr);
    CHECK(has(quota, siteadm + " write"));
    CHECK_FALSE(has(quota, role + " write"));
    CHECK_FALSE(has(quota, "self write"));

    const Parsed* catchall =
        find(rules, "dn.regex=\"^mail=@[^,]+,jvd=([^,]+),o=hosting,dc=example,dc=com$\" "
                    "attrs=maildrop");
    REQUIRE(catchall != nullptr);
    CHECK(has(catchall, role + " write"));
    CHECK_FALSE(has(catchall, "self write"));
    const Parsed* dest = find(rules, below + " attrs=maildrop");
    REQUIRE(dest != nullptr);
    CHECK(index_of(rules, catchall) < index_of(rules, dest));
    CHECK(has(dest, "self write"));
    CHECK(has(dest, "dn.onelevel,expand=\"jvd=$1," + b + "\" set=\"this/mail & user/mail\" write"));

    const Parsed* in_domain = find(rules, below);
    REQUIRE(in_domain != nullptr);
    CHECK(has(in_domain, role + " write"));
    CHECK_FALSE(has(in_domain, "self write")); // self writes nothing but password and own alias
    for (const Parsed* specific : {pw, quota, dest, occupants, accounts})
        CHECK(index_of(rules, specific) < index_of(rules, in_domain));

    const Parsed* subtree = find(rules, "dn.subtree=\"" + b + "\"");
    CHECK(has(subtree, siteadm + " write"));
    REQUIRE(!rules.empty());
    CHECK(rules.back().what == "*");
    CHECK_FALSE(has(&rules.back(), siteadm + " write"));

    // How slapd reads an absent flag, and the one limit, are in the text itself.
    CHECK(text.find("absent editAccounts/editPostmasters as FALSE") != std::string::npos);
    CHECK(text.find("add_content_acl on") != std::string::npos);
}

TEST_CASE("acl rules: jamm, strict policy") {
    AclPolicy policy;
    policy.anonymous_read = false;
    policy.domain_admin_sets_quota = true;
    const std::string text =
        vmaildir::openldap_access_rules(jamm_layout(), settings_for(base), policy);
    CHECK(text.find("by anonymous read") == std::string::npos);
    const auto rules = parse(text);
    for (const Parsed& p : rules) {
        CAPTURE(p.what);
        CHECK(has(&p, "anonymous auth")); // binds (and SASL mapping) still work
    }
    const Parsed* quota =
        find(rules, "dn.regex=\"^.+,jvd=([^,]+),o=hosting,dc=example,dc=com$\" attrs=quota");
    CHECK(has(quota, "set.expand=\"[cn=postmaster,jvd=$1,o=hosting,dc=example,dc=com]/"
                     "roleOccupant & user\" write"));
}

TEST_CASE("acl rules: courier") {
    const std::string text =
        vmaildir::openldap_access_rules(courier_layout(), settings_for(base), AclPolicy{});
    const auto rules = parse(text);
    const std::string role =
        "set.expand=\"[cn=postmaster,o=$1,o=hosting,dc=example,dc=com]/roleOccupant & user\"";
    const std::string below = "dn.regex=\"^.+,o=([^,]+),o=hosting,dc=example,dc=com$\"";
    const Parsed* pw = find(rules, below + " attrs=userPassword");
    REQUIRE(pw != nullptr);
    CHECK(has(pw, role + " =wx"));
    check_password_rule(pw, "cn=vmaildir,dc=example,dc=com");
    // No flag attributes in this layout: no flags rule, but the domain entry is protected.
    CHECK(text.find("attrs=accountActive") == std::string::npos);
    const Parsed* domain = find(rules, "dn.regex=\"^o=([^,]+),o=hosting,dc=example,dc=com$\"");
    REQUIRE(domain != nullptr);
    CHECK_FALSE(has(domain, role + " write"));
    // Courier's separate forward entry carries the account's address.
    CHECK(has(find(rules, below + " attrs=maildrop"),
              "dn.onelevel,expand=\"o=$1,o=hosting,dc=example,dc=com\" "
              "set=\"this/mail & user/mail\" write"));
    CHECK(find(rules, "dn.regex=\"^cn=postmaster,o=([^,]+),o=hosting,dc=example,dc=com$\" "
                      "attrs=roleOccupant") != nullptr);
}

TEST_CASE("acl rules: mailrouter") {
    AclRuleSettings st = settings_for("o=top");
    st.site_admin_dns.clear(); // the layout's own site admin group only
    const std::string text = vmaildir::openldap_access_rules(mailrouter_layout(), st, AclPolicy{});
    const auto rules = parse(text);
    const std::string site_group = "set=\"[cn=admin,o=top]/member & user\"";
    const std::string group = "set.expand=\"[cn=admin,dc=$1,o=top]/member & user\"";
    const std::string pm_account = "dn.exact,expand=\"uid=postmaster,dc=$1,o=top\"";
    const Parsed* pw = find(rules, "dn.regex=\"^.+,dc=([^,]+),o=top$\" attrs=userPassword");
    REQUIRE(pw != nullptr);
    CHECK(has(pw, site_group + " =wx"));
    CHECK(has(pw, group + " =wx"));
    CHECK(has(pw, pm_account + " =wx"));
    check_password_rule(pw, "cn=vmaildir,dc=example,dc=com");
    // No capability attributes in this layout: the configured defaults decide for every
    // domain (edit_postmasters_default no, edit_accounts_default yes).
    CHECK_FALSE(has(find(rules, "dn.regex=\"^cn=admin,dc=([^,]+),o=top$\" attrs=member"),
                    group + " write"));
    CHECK(has(find(rules, "dn.regex=\"^.+,dc=([^,]+),o=top$\" filter=\"(objectClass=mailUser)\" "
                          "attrs=entry"),
              group + " write"));
    st.edit_postmasters_default = true;
    st.edit_accounts_default = false;
    const auto other = parse(vmaildir::openldap_access_rules(mailrouter_layout(), st, AclPolicy{}));
    CHECK(has(find(other, "dn.regex=\"^cn=admin,dc=([^,]+),o=top$\" attrs=member"),
              group + " write"));
    // Creating the group is appointing the first postmaster (add only, never delete).
    const std::string role_entry = "dn.regex=\"^cn=admin,dc=([^,]+),o=top$\" attrs=entry";
    CHECK(has(find(other, role_entry), pm_account + " =arscxd"));
    CHECK_FALSE(has(find(rules, role_entry), pm_account + " =arscxd"));
    CHECK_FALSE(has(find(other, role_entry), pm_account + " write"));
    CHECK_FALSE(has(find(other, "dn.regex=\"^.+,dc=([^,]+),o=top$\" "
                                "filter=\"(objectClass=mailUser)\" attrs=entry"),
                    group + " write"));
    CHECK(has(find(rules, "dn.regex=\"^.+,dc=([^,]+),o=top$\" attrs=mailQuota"),
              site_group + " write"));
    const Parsed* catchall =
        find(rules, "dn.regex=\"^mailalias=default,dc=([^,]+),o=top$\" attrs=mailAliasedName");
    REQUIRE(catchall != nullptr);
    const Parsed* own =
        find(rules, "dn.regex=\"^mailalias=([^,]+),dc=([^,]+),o=top$\" attrs=mailAliasedName");
    REQUIRE(own != nullptr);
    CHECK(index_of(rules, catchall) < index_of(rules, own));
    CHECK(has(own, "dn.exact,expand=\"uid=$1,dc=$2,o=top\" write"));
    CHECK(has(own, "set.expand=\"[cn=admin,dc=$2,o=top]/member & user\" write"));
    CHECK(has(find(rules, "dn.subtree=\"o=top\""), site_group + " write"));
}

TEST_CASE("acl rules: overridden names and awkward bases are honoured") {
    Schema s = jamm_layout();
    s.domain_attribute = "associatedDomain";
    s.password_attribute = "authPassword";
    s.postmaster_rdn = "cn=Domain Admins";
    s.postmaster_member_attribute = "member";
    AclRuleSettings st = settings_for("o=Hosting\\, Inc. (EU),dc=example,dc=com");
    st.site_admin_group_dn = "cn=Site \"Admins\",dc=example,dc=com";
    st.service_dn.clear();
    const std::string text = vmaildir::openldap_access_rules(s, st, AclPolicy{});
    const auto rules = parse(text);
    // slapd.conf drops one level of backslashes: "\\\\2C" reaches the regex as \\2C, a literal
    // backslash before 2C, which is how slapd normalises the escaped comma; "\\." is \. .
    const std::string below =
        "dn.regex=\"^.+,associateddomain=([^,]+),o=hosting\\\\\\\\2C inc\\\\. \\\\(eu\\\\),"
        "dc=example,dc=com$\"";
    const Parsed* pw = find(rules, below + " attrs=authPassword");
    REQUIRE(pw != nullptr);
    CHECK(has(pw, "set.expand=\"[cn=Domain Admins,associatedDomain=$1,o=Hosting\\\\, Inc. (EU),"
                  "dc=example,dc=com]/member & user\" =wx"));
    CHECK(has(pw, "set=\"[cn=Site \\\"Admins\\\",dc=example,dc=com]/member & user\" =wx"));
    CHECK(text.find("userPassword") == std::string::npos);
    CHECK(text.find("cn=vmaildir") == std::string::npos); // no service DN configured
    CHECK(find(rules, "dn.regex=\"^cn=domain admins,associateddomain=([^,]+),o=hosting\\\\\\\\2C "
                      "inc\\\\. \\\\(eu\\\\),dc=example,dc=com$\" attrs=member") != nullptr);

    SUBCASE("a dollar in an expand string is doubled") {
        AclRuleSettings dollar = settings_for("o=cash$,dc=example,dc=com");
        const std::string t = vmaildir::openldap_access_rules(jamm_layout(), dollar, AclPolicy{});
        CHECK(t.find("[cn=postmaster,jvd=$1,o=cash$$,dc=example,dc=com]") != std::string::npos);
        CHECK(t.find("o=cash\\\\$,dc=example") != std::string::npos); // regex \$ in the what
    }
}

TEST_CASE("acl rules: degenerate schemas still give a closed, valid rule list") {
    SUBCASE("subtree domains are warned about") {
        Schema s = jamm_layout();
        s.domain_scope = vmaildir::Scope::subtree;
        const std::string text = vmaildir::openldap_access_rules(s, settings_for(base), {});
        CHECK(text.find("WARNING: domains are searched in a subtree") != std::string::npos);
        parse(text);
    }
    SUBCASE("no domain attribute: site-wide rules only") {
        Schema s = jamm_layout();
        s.domain_attribute.clear();
        const std::string text = vmaildir::openldap_access_rules(s, settings_for(base), {});
        const auto rules = parse(text);
        CHECK(text.find("set.expand") == std::string::npos);
        REQUIRE(rules.size() == 3);
        CHECK(rules[0].what == "attrs=userPassword");
        CHECK(rules[1].what == "dn.subtree=\"" + base + "\"");
        CHECK(rules[2].what == "*");
    }
}
