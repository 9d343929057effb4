// ldap_table(5) files for virtual(8) (ldap_tables.hpp).
#include "ldap_tables.hpp"

#include "vmaildir/model/schema.hpp"
#include "vmaildir/service/config_file.hpp"
#include "vmaildir/util/secret_file.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <grp.h>
#include <iostream>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

namespace vmaildir::postfix {

namespace {

std::string common(const Config& c, const LdapProfile& ldap, const std::string& bind_password,
                   const std::string& live_domains) {
    const Schema& s = c.schema;
    std::string out;
    auto line = [&](const std::string& key, const std::string& value) {
        out += key + " = " + value + "\n";
    };
    std::string servers;
    for (const std::string& uri : ldap.servers)
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
    if (!ldap.sasl_mech.empty()) {
        line("bind", "sasl");
        line("sasl_mechs", ldap.sasl_mech);
        if (!ldap.sasl_authz_id.empty())
            line("sasl_authz_id", ldap.sasl_authz_id);
    } else if (!ldap.bind_dn.empty()) {
        line("bind", "yes");
        line("bind_dn", ldap.bind_dn);
        line("bind_pw", bind_password);
    } else {
        line("bind", "no");
    }
    if (ldap.start_tls)
        line("start_tls", "yes");
    if (!ldap.tls_ca_file.empty())
        line("tls_ca_cert_file", ldap.tls_ca_file);
    if (!ldap.tls_ca_dir.empty())
        line("tls_ca_cert_dir", ldap.tls_ca_dir);
    if (!ldap.tls_cert_file.empty()) {
        line("tls_cert", ldap.tls_cert_file);
        line("tls_key", ldap.tls_key_file);
    }
    if (ldap.start_tls || !ldap.tls_ca_file.empty() || !ldap.tls_ca_dir.empty())
        line("tls_require_cert", ldap.tls_require_cert ? "yes" : "no");
    return out;
}

std::string header(const Config& c, const LdapProfile& ldap, const std::string& what) {
    return "# virtual(8) " + what + " table, written by `vmaildir-postfix ldap-tables` from " +
           c.path + "\n# (schema " + c.schema.preset +
           ").  Regenerate it after changing that file; do not edit.\n"
           "# It answers what vmaildir's socketmap answers: live accounts of live hosted\n"
           "# domains only (its domain list is vmaildir's transport map).\n" +
           (ldap.bind_dn.empty() ? std::string()
                                 : std::string("# Holds the bind password: keep it as written, "
                                               "mode 0640, group postfix.\n"));
}

} // namespace

std::vector<GeneratedTable> ldap_tables(const Config& config, const LdapProfile& ldap,
                                        const std::string& bind_password,
                                        const std::string& live_domains) {
    const Schema& s = config.schema;
    std::vector<GeneratedTable> out;
    auto table = [&](const char* name, const std::string& attribute) {
        out.push_back({name, header(config, ldap, name) +
                                 common(config, ldap, bind_password, live_domains) +
                                 "result_attribute = " + attribute + "\n"});
    };
    table("mailbox", s.mailbox_attribute);
    if (!config.static_uid)
        table("uid", s.uid_number_attribute);
    if (!config.static_gid)
        table("gid", s.gid_number_attribute);
    return out;
}

int write_ldap_tables(const std::string& config_path, const std::string& live_domains,
                      const std::string& directory) {
    Config config;
    try {
        config = load_config(config_path);
    } catch (const ConfigError& e) {
        std::cerr << "vmaildir-postfix: configuration error: " << e.what() << "\n";
        return EX_CONFIG;
    }
    auto ldap = ldap_profile(config);
    if (!ldap) {
        std::cerr << "vmaildir-postfix: " << config_path << ": no LDAP settings\n";
        return EX_CONFIG;
    }
    std::string bind_password;
    if (!ldap->bind_pw_file.empty()) {
        // The file the configuration names, read as virtual(8)'s table will need it; the
        // daemons never see the password outside the LDAP backend.
        std::string problem;
        auto secret = util::read_secret_file(ldap->bind_pw_file, problem);
        if (!secret) {
            std::cerr << "vmaildir-postfix: bind_pw_file: " << problem << "\n";
            return EX_CONFIG;
        }
        bind_password = std::move(*secret);
    }
    for (const GeneratedTable& t : ldap_tables(config, *ldap, bind_password, live_domains)) {
        std::string path = directory + "/vmaildir-" + t.name + ".cf";
        std::string tmp = path + ".tmp";
        mode_t old = umask(077); // the file may hold the bind password
        std::ofstream out(tmp, std::ios::trunc);
        umask(old);
        out << t.text;
        out.close();
        bool written = static_cast<bool>(out);
        // Postfix daemons open their tables as the postfix user (ldap_table(5) on bind_pw):
        // readable by that group, by nobody else.
        if (written)
            if (struct group* g = getgrnam("postfix"))
                written = chown(tmp.c_str(), static_cast<uid_t>(-1), g->gr_gid) == 0 &&
                          chmod(tmp.c_str(), 0640) == 0;
        if (!written || rename(tmp.c_str(), path.c_str()) != 0) {
            std::cerr << "vmaildir-postfix: cannot write " << path << ": " << std::strerror(errno)
                      << "\n";
            return EX_CANTCREAT;
        }
        std::cout << path << "\n";
    }
    std::cout << "virtual_mailbox_maps = ldap:" << directory << "/vmaildir-mailbox.cf\n"
              << "virtual_uid_maps = "
              << (config.static_uid ? "static:" + std::to_string(*config.static_uid)
                                    : "ldap:" + directory + "/vmaildir-uid.cf")
              << "\nvirtual_gid_maps = "
              << (config.static_gid ? "static:" + std::to_string(*config.static_gid)
                                    : "ldap:" + directory + "/vmaildir-gid.cf")
              << "\n";
    return 0;
}

} // namespace vmaildir::postfix
