// The core's configuration keys (core_keys.hpp).
#include "config/core_keys.hpp"

#include "config/values.hpp"
#include "vmaildir/model/quota.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <algorithm>

namespace vmaildir {

namespace {

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const std::string& n : names)
        out += (out.empty() ? "" : ", ") + n;
    return out;
}

/// An attribute type or objectClass as RFC 4512 names one: a descr (a letter, then letters,
/// digits and '-') or a numericoid.
bool ldap_name(std::string_view v) {
    auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    auto digit = [](char c) { return c >= '0' && c <= '9'; };
    if (v.empty())
        return false;
    if (alpha(v.front()))
        return std::all_of(v.begin(), v.end(),
                           [&](char c) { return alpha(c) || digit(c) || c == '-'; });
    bool after_dot = true; // numericoid: numbers separated by single dots
    for (char c : v) {
        if (c == '.') {
            if (after_dot)
                return false;
            after_dot = true;
        } else if (digit(c)) {
            after_dot = false;
        } else {
            return false;
        }
    }
    return !after_dot;
}

std::vector<Key<Config>> make_keys() {
    std::vector<Key<Config>> keys = {
        // Where the mail tree is, and how long one lookup may take (every backend).
        {"search_base", nullptr, "base DN of the mail tree (required)", false,
         [](Config& c, const std::string& v) {
             if (!util::parse_dn(v) || v.empty())
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             c.search_base = v;
         }},
        {"timeout", "10s",
         "time budget of one lookup, connects and failover included; on expiry the answer is "
         "a temporary failure",
         false,
         [](Config& c, const std::string& v) {
             c.timeout = to_duration(v);
             if (c.timeout.count() <= 0)
                 throw BadValue{"must be more than 0"};
         }},
        {"size_limit", "100", "most entries one lookup may return; more is a temporary failure",
         false,
         [](Config& c, const std::string& v) {
             c.size_limit = to_number(v, 1, 1'000'000);
         }},

        // Directory model
        {"schema", "jamm", "layout preset: jamm, courier or mailrouter", false,
         [](Config&, const std::string&) {
         }}, // applied first, see read_core_settings
        {"recipient_delimiter", "+",
         "characters that start a sub-address (user+tag@domain); empty disables", false,
         [](Config& c, const std::string& v) {
             c.address.delimiters = v;
             for (char ch : c.address.delimiters)
                 if (ch == '@' || static_cast<unsigned char>(ch) < 0x21 ||
                     static_cast<unsigned char>(ch) > 0x7e)
                     throw BadValue{"delimiters must be printable ASCII other than @"};
         }},
        {"case_sensitive_local_part", "no", "compare local parts case-sensitively", false,
         [](Config& c, const std::string& v) {
             c.address.case_sensitive_local_part = to_bool(v);
         }},
        {"default_transport", "virtual:", "transport answered for domains whose entry names none",
         false,
         [](Config& c, const std::string& v) {
             if (v.empty())
                 throw BadValue{"must not be empty"};
             c.default_transport = v;
         }},
        {"static_uid", "", "uid answered for every account (else the entry's uid number)", false,
         [](Config& c, const std::string& v) {
             if (!v.empty())
                 c.static_uid = to_number(v, 1, 4294967294UL);
         }},
        {"static_gid", "", "gid answered for every account (else the entry's gid number)", false,
         [](Config& c, const std::string& v) {
             if (!v.empty())
                 c.static_gid = to_number(v, 1, 4294967294UL);
         }},
        {"edit_accounts_default", "yes",
         "whether a domain's postmasters may create accounts when its entry does not say", false,
         [](Config& c, const std::string& v) {
             c.edit_accounts_default = to_bool(v);
         }},
        {"edit_postmasters_default", "no",
         "whether a domain's postmasters may appoint postmasters when its entry does not say",
         false,
         [](Config& c, const std::string& v) {
             c.edit_postmasters_default = to_bool(v);
         }},
        {"recursion_limit", "20", "deepest alias nesting followed when expanding", false,
         [](Config& c, const std::string& v) {
             c.recursion_limit = static_cast<unsigned>(to_number(v, 1, 1000));
         }},
        {"expansion_limit", "1000",
         "most final addresses one expansion may produce; more is a temporary failure", false,
         [](Config& c, const std::string& v) {
             c.expansion_limit = static_cast<unsigned>(to_number(v, 1, 1'000'000));
         }},

        // Cache
        {"cache_ttl", "60s", "how long a found answer is reused", false,
         [](Config& c, const std::string& v) {
             c.cache.positive_ttl = to_duration(v);
         }},
        {"cache_negative_ttl", "30s", "how long a not-found answer is reused", false,
         [](Config& c, const std::string& v) {
             c.cache.negative_ttl = to_duration(v);
         }},
        {"cache_stale_ttl", "0",
         "while the directory fails, answers up to this long past expiry are still used "
         "(and logged); 0 never serves stale answers",
         false,
         [](Config& c, const std::string& v) {
             c.cache.stale_ttl = to_duration(v);
         }},
        {"cache_size", "100000", "most cached answers; 0 disables the cache", false,
         [](Config& c, const std::string& v) {
             c.cache.max_entries = to_number(v, 0, 100'000'000);
         }},

        // Authentication
        {"auth_method", "bind",
         "bind: check passwords by binding as the account (slapd verifies the hash); compare: "
         "read the password attribute and verify it here",
         false,
         [](Config& c, const std::string& v) {
             std::string m = util::ascii_lower(v);
             if (m == "bind")
                 c.auth.method = AuthMethod::bind;
             else if (m == "compare")
                 c.auth.method = AuthMethod::compare;
             else
                 throw BadValue{"expected bind or compare, got '" + util::printable(v) + "'"};
         }},
        {"password_scheme", "SHA512-CRYPT", "scheme for new passwords", false,
         [](Config& c, const std::string& v) {
             auto s = parse_password_scheme(v);
             if (!s)
                 throw BadValue{"unknown scheme '" + util::printable(v) + "' (use " +
                                joined(password_scheme_names()) + ")"};
             c.auth.scheme = *s;
         }},
        {"auth_cache_ttl", "60s",
         "how long a successful login is accepted again with the same password without "
         "asking the directory (only a keyed hash of the password is kept; a password changed "
         "through vmaildir takes effect at once, one changed elsewhere within this time); 0 "
         "checks every login in the directory",
         false,
         [](Config& c, const std::string& v) {
             c.auth.cache_ttl = to_duration(v);
         }},
        {"auth_cache_stale_ttl", "0",
         "while the directory fails, a login verified up to this long past auth_cache_ttl is "
         "still accepted with the same password (and logged); 0 never. Unlike cache_stale_ttl "
         "it keeps a disabled account or a password changed outside vmaildir working, for as "
         "long as someone can make the directory fail",
         false,
         [](Config& c, const std::string& v) {
             c.auth.cache_stale_ttl = to_duration(v);
         }},
        {"auth_cache_stamp", "/var/lib/vmaildir/login-cache.stamp",
         "file whose change makes every process on this host forget the logins it verified "
         "(auth_cache_ttl); `vmaildir` touches it after changing a password, a flag or a "
         "deletion, and so does a password change through Courier; empty: none (such changes "
         "then take effect within auth_cache_ttl)",
         false,
         [](Config& c, const std::string& v) {
             if (!v.empty() && v.front() != '/')
                 throw BadValue{"must be an absolute path"};
             c.auth.cache_stamp = v;
         }},
        {"allow_cleartext_passwords", "no",
         "accept password attributes stored in cleartext with auth_method = compare (with "
         "bind, slapd checks the password and accepts them; `vmaildir check` reports them)",
         false,
         [](Config& c, const std::string& v) {
             c.auth.allow_cleartext = to_bool(v);
         }},
        {"default_domain", "", "domain appended to logins given without @domain", false,
         [](Config& c, const std::string& v) {
             if (v.empty())
                 return;
             auto d = normalise_domain(v);
             if (!d)
                 throw BadValue{"'" + util::printable(v) + "' is not a domain name"};
             c.auth.default_domain = *d;
         }},

        // Delegated administration
        {"site_admins", "", "DN of a site administrator; may be repeated", true,
         [](Config& c, const std::string& v) {
             if (v.empty())
                 return;
             if (!util::parse_dn(v))
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             c.site_admins.push_back(v);
         }},
        {"site_admin_group", "",
         "DN of a group (member/roleOccupant) of site administrators; the mailrouter preset "
         "defaults to cn=admin,<search_base>",
         false,
         [](Config& c, const std::string& v) {
             if (!v.empty() && !util::parse_dn(v))
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             c.site_admin_group = v;
         }},
        {"anonymous_read", "yes", "anonymous clients may read non-secret attributes", false,
         [](Config& c, const std::string& v) {
             c.acl.anonymous_read = to_bool(v);
         }},
        {"domain_admin_sets_quota", "no", "a domain's postmasters may change account quotas", false,
         [](Config& c, const std::string& v) {
             c.acl.domain_admin_sets_quota = to_bool(v);
         }},

        // What the administration commands give new accounts
        {"new_account_mailbox", "(preset)",
         "mailbox path of a new account: %d domain, %l local part, %h new_account_home, %s a "
         "stamp unique to the creation (a re-created account never gets an earlier one's "
         "Maildir); jamm and courier: %d/%l.%s/, mailrouter: %h/%d/%l.%s/",
         false,
         [](Config& c, const std::string& v) {
             if (v.find("%s") == std::string::npos)
                 throw BadValue{"must contain %s, so that a re-created account gets a new "
                                "mailbox (SPEC §5)"};
             for (std::size_t i = v.find('%'); i != std::string::npos; i = v.find('%', i + 2))
                 if (i + 1 >= v.size() ||
                     std::string_view("dlhs%").find(v[i + 1]) == std::string_view::npos)
                     throw BadValue{"unknown placeholder in '" + util::printable(v) +
                                    "' (use %d %l %h %s %%)"};
             c.new_account.mailbox_template = v;
         }},
        {"minimum_uid", "100",
         "lowest uid number an account entry may give (like Postfix's virtual_minimum_uid; a "
         "gid of 0 is refused too): an entry below it is malformed, and its lookups and logins "
         "answer temporary failure, so that nobody who may write an entry gets root's or a "
         "system account's rights through Courier or a delivery agent. Not checked where "
         "static_uid answers instead",
         false,
         [](Config& c, const std::string& v) {
             c.minimum_uid = to_number(v, 1, 4294967294UL);
         }},
        {"new_account_home", "/var/mail/vhosts", "home directory of a new account", false,
         [](Config& c, const std::string& v) {
             if (v.empty() || v.front() != '/')
                 throw BadValue{"must be an absolute path"};
             c.new_account.home = v;
         }},
        {"new_account_uid", "5000", "uid number of a new account", false,
         [](Config& c, const std::string& v) {
             c.new_account.uid = to_number(v, 1, 4294967294UL);
         }},
        {"new_account_gid", "5000", "gid number of a new account", false,
         [](Config& c, const std::string& v) {
             c.new_account.gid = to_number(v, 1, 4294967294UL);
         }},
        {"new_account_quota", "",
         "quota of a new account (as stored, e.g. 100000000S); empty: none", false,
         [](Config& c, const std::string& v) {
             if (!v.empty() && !quota_bytes(v))
                 throw BadValue{"'" + util::printable(v) + "' is not a quota"};
             c.new_account.quota = v;
         }},

        // Logging
        {"log", "syslog", "where to log: syslog or stderr", false,
         [](Config& c, const std::string& v) {
             std::string t = util::ascii_lower(v);
             if (t != "syslog" && t != "stderr")
                 throw BadValue{"expected syslog or stderr, got '" + util::printable(v) + "'"};
             c.log_target = t;
         }},
        {"log_facility", "mail", "syslog facility (mail, daemon, auth, local0..local7)", false,
         [](Config& c, const std::string& v) {
             // Checked by name: building a syslog logger would openlog()/closelog() and
             // reset the ident of a logger the process already has.
             std::string f = util::ascii_lower(v);
             if (!is_syslog_facility(f))
                 throw BadValue{"unknown syslog facility '" + util::printable(v) + "'"};
             c.log_facility = f;
         }},
        {"log_level", "info", "least severe level logged: debug, info, warning, error", false,
         [](Config& c, const std::string& v) {
             if (!parse_log_level(util::ascii_lower(v), c.log_level))
                 throw BadValue{"'" + util::printable(v) +
                                "' is not a level: expected debug, info, warning or error"};
         }},
    };
    for (const SchemaKey& sk : schema_keys()) {
        auto member = sk.member;
        const std::string_view key = sk.key;
        const bool name = key.ends_with("_attribute") || key.ends_with("_object_class");
        const bool rdn = key.ends_with("_rdn");
        keys.push_back({sk.key, "(preset)", sk.help, false,
                        [member, name, rdn](Config& c, const std::string& v) {
                            if (name && !v.empty() && !ldap_name(v))
                                throw BadValue{"'" + util::printable(v) +
                                               "' is not an attribute or objectClass name "
                                               "(letters, digits and '-', or an OID)"};
                            if (rdn && !v.empty() && !util::parse_dn(v))
                                throw BadValue{"'" + util::printable(v) + "' is not an RDN"};
                            c.schema.*member = v;
                        }});
    }
    return keys;
}

} // namespace

const std::vector<Key<Config>>& core_keys() {
    static const std::vector<Key<Config>> keys = make_keys();
    return keys;
}

void read_core_settings(const ConfigText& text, Config& config) {
    const ConfigText::Setting* preset = text.find("schema");
    std::string name = preset ? preset->value : "jamm";
    auto schema = preset_schema(util::ascii_lower(name));
    if (!schema)
        text.fail("schema", "unknown preset '" + util::printable(name) + "' (use " +
                                joined(preset_names()) + ")");
    config.schema = *schema;

    apply_keys(text, core_keys(), config);

    // Cross-key checks, each blamed on the key a reader would fix.
    if (config.search_base.empty())
        throw ConfigError(text.source(), 0, "search_base", "required, but not set");
    const Schema& s = config.schema;
    for (const auto& [key, value] :
         {std::pair<const char*, const std::string*>{"domain_object_class", &s.domain_object_class},
          {"domain_attribute", &s.domain_attribute},
          {"account_object_class", &s.account_object_class},
          {"account_address_attribute", &s.account_address_attribute},
          {"mailbox_attribute", &s.mailbox_attribute},
          {"alias_object_class", &s.alias_object_class},
          {"alias_address_attribute", &s.alias_address_attribute},
          {"alias_destination_attribute", &s.alias_destination_attribute}}) {
        if (value->empty())
            text.fail(key, "must not be empty");
    }
    for (const auto& [key, id] :
         {std::pair<const char*, std::optional<unsigned long>>{"static_uid", config.static_uid},
          {"new_account_uid", config.new_account.uid}})
        if (id && *id < config.minimum_uid)
            text.fail(key, std::to_string(*id) + " is below minimum_uid (" +
                               std::to_string(config.minimum_uid) + ")");
    if (s.address_form == AddressForm::local_part && s.catchall_local_part.empty())
        text.fail("catchall_local_part", "must not be empty for a local-part layout");
    if (config.site_admin_group.empty() && !s.site_admin_group_rdn.empty())
        config.site_admin_group = s.site_admin_group_rdn + "," + config.search_base;
}

} // namespace vmaildir
