// The delegated-administration matrix (SPEC §5) as slapd.conf access directives
// (slapd.access(5), OpenLDAP 2.5): one directive per kind of entry and
// attribute, most specific first.  decide() (admin/decide.cpp) is authoritative;
// these rules refuse the same actions on their own, the domain capabilities
// included (read from the domain entry with sets).
#include "vmaildir/ldap/access_rules.hpp"

#include "ldap/slapd_syntax.hpp"
#include "vmaildir/directory/filter.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

using namespace vmaildir::ldap;
using util::ascii_lower;

struct Directive {
    std::vector<std::string> comment; // lines, without "# "
    std::string what;
    std::vector<std::string> by; // "<who> <access>"
};

class RuleWriter {
public:
    RuleWriter(const Schema& schema, const AclRuleSettings& settings, const AclPolicy& policy)
        : schema_(schema), settings_(settings), policy_(policy) {
        base_ = settings.search_base;
        base_re_ = dn_regex(settings.search_base);
        if (!schema.site_admin_group_rdn.empty() && settings.site_admin_group_dn.empty() &&
            !base_.empty())
            site_group_ = schema.site_admin_group_rdn + "," + base_;
        else
            site_group_ = settings.site_admin_group_dn;
    }

    std::string render() {
        header();
        passwords();
        domain_entries();
        postmaster_role();
        quota();
        alias_destinations();
        account_entries();
        below_domains();
        site_wide();
        std::string out;
        for (const std::string& line : preamble_)
            out += line.empty() ? "#\n" : "# " + line + "\n";
        for (const Directive& d : directives_) {
            out += '\n';
            for (const std::string& line : d.comment)
                out += "# " + line + "\n";
            out += "access to " + d.what + "\n";
            for (const std::string& by : d.by)
                out += "    by " + by + "\n";
        }
        return out;
    }

private:
    // `<RDN>,<base>` pieces of patterns and expand strings.
    std::string below_base_re() const { return base_re_.empty() ? "" : "," + base_re_; }
    std::string below_base() const { return base_.empty() ? "" : "," + expand_literal(base_); }
    std::string domain_rdn_re() const {
        return regex_escape(ascii_lower(schema_.domain_attribute)) + "=([^,]+)";
    }
    // dn.regex for the domain entry itself; $1 = domain.
    std::string domain_entry_what() const {
        return "dn.regex=" + quoted("^" + domain_rdn_re() + below_base_re() + "$");
    }
    // dn.regex for every entry below a domain; $1 = domain.  Anchored at the base, so $1 is
    // always the RDN right below the base, whatever RDNs a domain admin invents further down.
    std::string below_domain_what() const {
        return "dn.regex=" + quoted("^.+," + domain_rdn_re() + below_base_re() + "$");
    }
    // dn.regex for the entry `<rdn>,<domain>,<base>`; $1 = domain.
    std::string domain_child_what(std::string_view rdn_re) const {
        return "dn.regex=" +
               quoted("^" + std::string(rdn_re) + "," + domain_rdn_re() + below_base_re() + "$");
    }
    std::string domain_dn_expand(int n) const {
        return expand_literal(schema_.domain_attribute) + "=$" + std::to_string(n) + below_base();
    }

    void service(std::vector<std::string>& by, const char* access) const {
        if (!settings_.service_dn.empty())
            by.push_back("dn.exact=" + quoted(settings_.service_dn) + " " + access);
    }
    void site_admins(std::vector<std::string>& by, const char* access) const {
        for (const std::string& dn : settings_.site_admin_dns)
            if (!dn.empty())
                by.push_back("dn.exact=" + quoted(dn) + " " + access);
        if (!site_group_.empty()) {
            std::string attr =
                schema_.group_member_attribute.empty() ? "member" : schema_.group_member_attribute;
            by.push_back("set=" + quoted(member_set(site_group_, attr)) + " " + access);
        }
    }
    // The domain whose name is submatch $n: occupants of its postmaster role, and its
    // postmaster account where the layout has one.
    void domain_admins(std::vector<std::string>& by, int n, const char* access) const {
        if (!schema_.postmaster_rdn.empty() && !schema_.postmaster_member_attribute.empty()) {
            std::string role = expand_literal(schema_.postmaster_rdn) + "," + domain_dn_expand(n);
            by.push_back(
                "set.expand=" + quoted(member_set(role, schema_.postmaster_member_attribute)) +
                " " + access);
        }
        if (!schema_.postmaster_account_rdn.empty())
            by.push_back(
                "dn.exact,expand=" +
                quoted(expand_literal(schema_.postmaster_account_rdn) + "," + domain_dn_expand(n)) +
                " " + access);
    }
    // The domain's admins (submatch $n) when the domain entry's capability `attribute` is
    // TRUE.  The occupant set and the flag set are joined with '+', which is empty when either
    // is: both must hold.  slapd reads an absent flag as FALSE (`vmaildir domain add` writes
    // both flags); a layout without the attribute gets the configured default for every domain.
    void capable_domain_admins(std::vector<std::string>& by, int n, const char* access,
                               const std::string& attribute, bool fallback) const {
        if (attribute.empty()) {
            if (fallback)
                domain_admins(by, n, access);
            return;
        }
        const std::string flag = flag_set(domain_dn_expand(n), attribute);
        if (!schema_.postmaster_rdn.empty() && !schema_.postmaster_member_attribute.empty()) {
            std::string role = expand_literal(schema_.postmaster_rdn) + "," + domain_dn_expand(n);
            by.push_back(
                "set.expand=" +
                quoted(both_sets(member_set(role, schema_.postmaster_member_attribute), flag)) +
                " " + access);
        }
        if (!schema_.postmaster_account_rdn.empty())
            by.push_back("set.expand=" +
                         quoted(both_sets("[" + expand_literal(schema_.postmaster_account_rdn) +
                                              "," + domain_dn_expand(n) + "] & user",
                                          flag)) +
                         " " + access);
    }

    // Everyone else: authenticated users read, anonymous per policy.  "auth" rather than
    // "none" keeps SASL identity mapping searches working without disclosing anything.
    void readers(std::vector<std::string>& by) const {
        by.push_back("users read");
        by.push_back(policy_.anonymous_read ? "anonymous read" : "anonymous auth");
    }

    void add(std::vector<std::string> comment, std::string what, std::vector<std::string> by) {
        directives_.push_back({std::move(comment), std::move(what), std::move(by)});
    }

    bool has_domains() const { return !schema_.domain_attribute.empty(); }

    void header() {
        preamble_ = {
            "vmaildir delegated administration (SPEC §5) for the \"" + schema_.preset +
                "\" layout below " + (base_.empty() ? "the root" : base_) + ".",
            "Generated: edit the vmaildir configuration, not this text.  Put these directives",
            "in the database section before any other access directive; the last one",
            "matches everything.  Evaluation stops at the first <what> that matches, so the",
            "most specific rules come first.  As olcAccess values: one directive per value,",
            "without the leading \"access\" keyword.",
            std::string("Policy: anonymous ") +
                (policy_.anonymous_read ? "may read non-secret attributes"
                                        : "may only authenticate") +
                "; domain admins " + (policy_.domain_admin_sets_quota ? "may" : "may not") +
                " set quotas.",
            "",
            "The domain capabilities are read from the domain entry with sets: slapd reads an",
            "absent editAccounts/editPostmasters as FALSE, where vmaildir applies",
            "edit_accounts_default/edit_postmasters_default; `vmaildir domain add` writes",
            "both flags, so that the two agree.",
            "LIMIT -- adds: unless this database sets `add_content_acl on`",
            "(olcAddContentAcl: TRUE), slapd checks only the new entry and its parent's",
            "`children` on an add, not the attributes in it, so a domain admin could create an",
            "account with a quota.  Set it.",
        };
        if (schema_.domain_scope != Scope::one_level)
            preamble_.push_back("WARNING: domains are searched in a subtree; these rules only "
                                "delegate domains immediately below the base (deeper domains "
                                "get the site-wide rules: site admins only).");
        if (!has_domains())
            preamble_.push_back("WARNING: the layout names no domain attribute; only the "
                                "site-wide rules are generated.");
    }

    void passwords() {
        const std::string& pw = schema_.password_attribute;
        if (pw.empty()) {
            preamble_.push_back("The layout names no password attribute: no password rules.");
            return;
        }
        // Admins and self get write and auth but not read: nobody reads a hash (SPEC §5).
        // The service DN may read it: compare-mode authentication (SPEC §4) needs the value.
        // It writes none: password changes bind as the account (self), so whoever holds
        // bind_pw_file cannot set anyone's password.
        if (has_domains()) {
            std::vector<std::string> by;
            service(by, "read");
            site_admins(by, "=wx");
            domain_admins(by, 1, "=wx");
            by.push_back("self =wx");
            by.push_back("anonymous auth");
            by.push_back("* none");
            add({"Passwords in a domain: written by site admins, the domain's admins and the",
                 "entry itself, read by nobody but the vmaildir service; anonymous may bind."},
                below_domain_what() + " attrs=" + pw, std::move(by));
        }
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "=wx");
        by.push_back("self =wx");
        by.push_back("anonymous auth");
        by.push_back("* none");
        add({"Every other password (site admins, the service): the same without domain admins."},
            "attrs=" + pw, std::move(by));
    }

    void domain_entries() {
        if (!has_domains())
            return;
        std::vector<std::string> attrs;
        for (const std::string* a :
             {&schema_.active_attribute, &schema_.deleted_attribute,
              &schema_.edit_accounts_attribute, &schema_.edit_postmasters_attribute,
              &schema_.transport_attribute})
            if (!a->empty())
                attrs.push_back(*a);
        if (!attrs.empty()) {
            std::string list;
            for (const std::string& a : attrs)
                list += (list.empty() ? "" : ",") + a;
            std::vector<std::string> by;
            service(by, "read");
            site_admins(by, "write");
            readers(by);
            add({"A domain's flags, capabilities and transport: site admins only.  A domain",
                 "admin never deactivates or deletes its domain nor grants itself capabilities."},
                domain_entry_what() + " attrs=" + list, std::move(by));
        }
        {
            std::vector<std::string> by;
            service(by, "read");
            site_admins(by, "write");
            domain_admins(by, 1, "write");
            readers(by);
            add({"Adding or deleting entries in a domain needs write on the domain's `children`",
                 "(and on the entry's own `entry`: accounts need editAccounts, see below)."},
                domain_entry_what() + " attrs=children", std::move(by));
        }
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "write");
        readers(by);
        add({"The rest of the domain entry, including the entry itself (delete, rename)."},
            domain_entry_what(), std::move(by));
    }

    void postmaster_role() {
        if (!has_domains() || schema_.postmaster_rdn.empty())
            return;
        const std::string rdn_re = dn_regex(schema_.postmaster_rdn);
        if (!schema_.postmaster_member_attribute.empty()) {
            std::vector<std::string> by;
            service(by, "read");
            site_admins(by, "write");
            capable_domain_admins(by, 1, "write", schema_.edit_postmasters_attribute,
                                  settings_.edit_postmasters_default);
            readers(by);
            add({"Appointing and revoking postmasters: site admins, and the domain's admins",
                 "while its editPostmasters is TRUE."},
                domain_child_what(rdn_re) + " attrs=" + schema_.postmaster_member_attribute,
                std::move(by));
        }
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "write");
        // Adding the entry (=a, with read) is appointing the first postmaster: the domain's
        // admins may where they may appoint, as decide() says.
        if (!schema_.postmaster_member_attribute.empty())
            capable_domain_admins(by, 1, "=arscxd", schema_.edit_postmasters_attribute,
                                  settings_.edit_postmasters_default);
        readers(by);
        add({"The role entry itself (postmaster@D, RFC 2142): only site admins delete or rename",
             "it, so a domain admin cannot remove every other admin at once; the domain's",
             "admins may create it (=a: add only) while its editPostmasters is TRUE."},
            domain_child_what(rdn_re) + " attrs=entry", std::move(by));
    }

    void quota() {
        if (!has_domains() || schema_.quota_attribute.empty())
            return;
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "write");
        if (policy_.domain_admin_sets_quota)
            domain_admins(by, 1, "write");
        readers(by);
        add({policy_.domain_admin_sets_quota
                 ? "Quotas: site admins and the domain's admins (domain_admin_sets_quota is on)."
                 : "Quotas: site admins only (domain_admin_sets_quota is off)."},
            below_domain_what() + " attrs=" + schema_.quota_attribute, std::move(by));
    }

    void alias_destinations() {
        const std::string& dest = schema_.alias_destination_attribute;
        const std::string& alias_attr = schema_.alias_address_attribute;
        if (!has_domains() || dest.empty() || alias_attr.empty())
            return;
        // The catch-all first, so that no account can claim it as "its own alias".
        std::string catchall_re;
        if (schema_.address_form == AddressForm::full_address)
            catchall_re = regex_escape(ascii_lower(alias_attr)) + "=@[^,]+";
        else if (!schema_.catchall_local_part.empty())
            catchall_re = regex_escape(ascii_lower(alias_attr)) + "=" +
                          value_regex(ascii_lower(schema_.catchall_local_part));
        if (!catchall_re.empty()) {
            std::vector<std::string> by;
            service(by, "read");
            site_admins(by, "write");
            domain_admins(by, 1, "write");
            readers(by);
            add({"The catch-all's destinations: site admins and the domain's admins."},
                domain_child_what(catchall_re) + " attrs=" + dest, std::move(by));
        }
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "write");
        const std::string& account_attr = schema_.account_address_attribute;
        if (schema_.address_form == AddressForm::full_address) {
            // "Own alias" as decide() has it: the alias's address equals the actor's.  That is
            // the account's own entry when it carries destinations itself (Jamm), or a
            // separate alias entry with the same address (Courier's forward-and-keep-a-copy).
            // The set compares the two address values (normalised, so case-insensitively); the
            // dn.onelevel beside it (both must match) keeps the account in the alias's domain, so
            // a domain admin cannot mint an account in its own domain with someone else's
            // address and take over that address's alias elsewhere.  Not a dn.regex: the domain
            // name would be a pattern there, and "mail-example.com" would match "mail.example.com".
            domain_admins(by, 1, "write");
            by.push_back("self write");
            if (!account_attr.empty())
                by.push_back("dn.onelevel,expand=" + quoted(domain_dn_expand(1)) + " set=" +
                             quoted("this/" + alias_attr + " & user/" + account_attr) + " write");
            readers(by);
            add({"Alias destinations: site admins, the domain's admins, and an account of the",
                 "same domain for an alias with its own address (its own entry included)."},
                below_domain_what() + " attrs=" + dest, std::move(by));
            return;
        }
        // Local parts: <alias>=L,<domain> belongs to the account <account>=L,<domain>.
        domain_admins(by, 2, "write");
        if (!account_attr.empty())
            by.push_back("dn.exact,expand=" +
                         quoted(expand_literal(account_attr) + "=$1," + domain_dn_expand(2)) +
                         " write");
        readers(by);
        add({"Alias destinations: site admins, the domain's admins, and the account with the",
             "same local part for its own alias."},
            "dn.regex=" +
                quoted("^" + regex_escape(ascii_lower(alias_attr)) + "=([^,]+)," + domain_rdn_re() +
                       below_base_re() + "$") +
                " attrs=" + dest,
            std::move(by));
    }

    // Creating and deleting accounts (the new or old entry's `entry`, and a tombstone's
    // deleted flag): the domain's admins only while its editAccounts is TRUE.  The filter
    // sees the entry itself, the new one on an add, so aliases stay with below_domains().
    void account_entries() {
        if (!has_domains() || schema_.account_object_class.empty())
            return;
        std::string attrs = "entry";
        if (!schema_.deleted_attribute.empty())
            attrs += "," + schema_.deleted_attribute;
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "write");
        capable_domain_admins(by, 1, "write", schema_.edit_accounts_attribute,
                              settings_.edit_accounts_default);
        readers(by);
        add({"Creating and deleting accounts: site admins, and the domain's admins while its",
             "editAccounts is TRUE."},
            below_domain_what() + " filter=" +
                quoted("(objectClass=" + escape_filter_value(schema_.account_object_class) + ")") +
                " attrs=" + attrs,
            std::move(by));
    }

    void below_domains() {
        if (!has_domains())
            return;
        std::vector<std::string> by;
        service(by, "read");
        site_admins(by, "write");
        domain_admins(by, 1, "write");
        readers(by);
        add({"Everything else in a domain (accounts, aliases, their flags and names): site",
             "admins and the domain's admins.  Self writes nothing else (SPEC §5)."},
            below_domain_what(), std::move(by));
    }

    void site_wide() {
        if (!base_.empty()) {
            std::vector<std::string> by;
            service(by, "read");
            site_admins(by, "write");
            readers(by);
            add({"The rest of the tree below the search base (new domains, the site admin",
                 "group): site admins."},
                "dn.subtree=" + quoted(base_), std::move(by));
        }
        std::vector<std::string> by;
        service(by, "read");
        if (base_.empty())
            site_admins(by, "write");
        readers(by);
        add({"Everything else: read-only."}, "*", std::move(by));
    }

    const Schema& schema_;
    const AclRuleSettings& settings_;
    const AclPolicy& policy_;
    std::string base_;
    std::string base_re_;
    std::string site_group_;
    std::vector<std::string> preamble_;
    std::vector<Directive> directives_;
};

} // namespace

std::string openldap_access_rules(const Schema& schema, const AclRuleSettings& settings,
                                  const AclPolicy& policy) {
    return RuleWriter(schema, settings, policy).render();
}

} // namespace vmaildir
