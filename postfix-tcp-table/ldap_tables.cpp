#include "ldap_tables.hpp"

#include <algorithm>

namespace vmaildir::postfix {

namespace {

std::string common(const Config& c, const std::string& live_domains) {
    const Schema& s = c.schema;
    std::string out;
    auto line = [&](const std::string& key, const std::string& value) {
        out += key + " = " + value + "\n";
    };
    std::string servers;
    for (const std::string& uri : c.ldap.servers)
        servers += (servers.empty() ? "" : " ") + uri;
    line("server_host", servers);
    line("version", "3");
    // Entries are below their domain's entry (one level below search_base); Postfix quotes
    // %d for the DN (RFC 2253) itself.
    line("search_base", s.domain_attribute + "=%d," + c.search_base);
    line("scope", "sub");
    line("query_filter",
         live_account_filter(s, s.address_form == AddressForm::full_address ? "%s" : "%u"));
    line("domain", live_domains);
    line("size_limit", "1");
    line("expansion_limit", "1");
    auto seconds = std::max<long long>(1, (c.timeout.count() + 999) / 1000);
    line("timeout", std::to_string(seconds));
    if (!c.ldap.sasl_mech.empty()) {
        line("bind", "sasl");
        line("sasl_mechs", c.ldap.sasl_mech);
        if (!c.ldap.sasl_authz_id.empty())
            line("sasl_authz_id", c.ldap.sasl_authz_id);
    } else if (!c.ldap.bind_dn.empty()) {
        line("bind", "yes");
        line("bind_dn", c.ldap.bind_dn);
        line("bind_pw", c.ldap.bind_password);
    } else {
        line("bind", "no");
    }
    if (c.ldap.start_tls)
        line("start_tls", "yes");
    if (!c.ldap.tls_ca_file.empty())
        line("tls_ca_cert_file", c.ldap.tls_ca_file);
    if (!c.ldap.tls_ca_dir.empty())
        line("tls_ca_cert_dir", c.ldap.tls_ca_dir);
    if (!c.ldap.tls_cert_file.empty()) {
        line("tls_cert", c.ldap.tls_cert_file);
        line("tls_key", c.ldap.tls_key_file);
    }
    if (c.ldap.start_tls || !c.ldap.tls_ca_file.empty() || !c.ldap.tls_ca_dir.empty())
        line("tls_require_cert", c.ldap.tls_require_cert ? "yes" : "no");
    return out;
}

std::string header(const Config& c, const std::string& what) {
    return "# virtual(8) " + what + " table, written by `vmaildir-postfix ldap-tables` from " +
           c.path + "\n# (schema " + c.schema.preset +
           ").  Regenerate it after changing that file; do not edit.\n"
           "# It answers what vmaildir's socketmap answers: live accounts of live hosted\n"
           "# domains only (its domain list is vmaildir's transport map).\n" +
           (c.ldap.bind_dn.empty() ? std::string()
                                   : std::string("# Holds the bind password: keep it mode 0600, "
                                                 "owned by root.\n"));
}

} // namespace

std::vector<GeneratedTable> ldap_tables(const Config& config, const std::string& live_domains) {
    const Schema& s = config.schema;
    std::vector<GeneratedTable> out;
    auto table = [&](const char* name, const std::string& attribute) {
        out.push_back({name, header(config, name) + common(config, live_domains) +
                                 "result_attribute = " + attribute + "\n"});
    };
    table("mailbox", s.mailbox_attribute);
    if (!config.static_uid)
        table("uid", s.uid_number_attribute);
    if (!config.static_gid)
        table("gid", s.gid_number_attribute);
    return out;
}

} // namespace vmaildir::postfix
