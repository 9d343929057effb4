// The LDAP backend's keys (settings.hpp), named as in Postfix's ldap_table(5).
#include "ldap/settings.hpp"

#include "config/values.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <arpa/inet.h>
#include <filesystem>
#include <fstream>
#include <ldap.h>

namespace vmaildir::ldap {

namespace {

namespace fs = std::filesystem;

/// What the key handlers fill: the settings, and what is only settled once every key is read.
struct Parsed {
    LdapSettings s;
    unsigned long server_port = 389;
    std::vector<std::string> server_items; ///< one per server_host line
    std::string bind_pw_file;
    bool allow_cleartext = false;
};

/// Whether the URI's host part ends in an explicit port of zero (":0", ":000").
bool port_text_is_zero(std::string_view uri) {
    std::string_view rest = uri.substr(uri.find("://") + 3);
    std::string_view hostport = rest.substr(0, rest.find('/'));
    const std::size_t colon = hostport.rfind(':');
    const std::size_t bracket = hostport.rfind(']'); // [::1]:389
    if (colon == std::string_view::npos || (bracket != std::string_view::npos && colon < bracket))
        return false;
    std::string_view port = hostport.substr(colon + 1);
    return !port.empty() && port.find_first_not_of('0') == std::string_view::npos;
}

/// server_host items as ldap_table(5) takes them: URIs, or host[:port] names for ldap://.
std::vector<std::string> to_servers(const std::string& value, unsigned long default_port) {
    std::vector<std::string> out;
    for (const std::string& item : util::split_list(value)) {
        if (item.find("://") != std::string::npos) {
            std::string scheme = util::ascii_lower(item.substr(0, item.find("://")));
            if (scheme != "ldap" && scheme != "ldaps" && scheme != "ldapi")
                throw BadValue{"'" + item + "' is not an ldap://, ldaps:// or ldapi:// URI"};
            out.push_back(item);
        } else if (item.find(':') != std::string::npos) {
            out.push_back("ldap://" + item + "/");
        } else {
            out.push_back("ldap://" + item + ":" + std::to_string(default_port) + "/");
        }
    }
    if (out.empty())
        throw BadValue{"no server given"};
    // Checked now, not at the first lookup: libldap's own parser, the port range it leaves
    // to the connect (ldap://host:99999/ parses; it reads port 0 as the default port), and
    // a DN part, which it takes without complaint and nobody uses.
    for (const std::string& uri : out) {
        LDAPURLDesc* url = nullptr;
        int rc = ldap_url_parse(uri.c_str(), &url);
        int port = url ? url->lud_port : 0;
        const bool ldapi = url && url->lud_scheme && std::string_view(url->lud_scheme) == "ldapi";
        const bool has_dn = url && url->lud_dn && *url->lud_dn;
        if (url)
            ldap_free_urldesc(url);
        if (rc != LDAP_URL_SUCCESS)
            throw BadValue{"'" + uri + "' is not a valid LDAP URI"};
        if (port < 0 || port > 65535 || (!ldapi && port_text_is_zero(uri)))
            throw BadValue{"'" + uri + "': port " +
                           std::to_string(port_text_is_zero(uri) ? 0 : port) +
                           " is not in 1-65535"};
        if (has_dn && ldapi)
            throw BadValue{"'" + uri + "': an ldapi:// URI names its socket in the host part, "
                           "with each / written %2F (ldapi://%2Fvar%2Frun%2Fslapd%2Fldapi/); "
                           "the path after it would be read as a DN and ignored"};
        if (has_dn)
            throw BadValue{"'" + uri + "': the DN part of the URI is not used (search_base "
                           "is); give the server only"};
    }
    return out;
}

/// The table; `text` resolves relative paths (nullptr when only the help is wanted).
std::vector<Key<Parsed>> make_keys(const ConfigText* text) {
    auto path = [text](const std::string& v) {
        return text ? text->path(v) : v;
    };
    return {
        {"server_host", "ldap://localhost/",
         "LDAP servers, tried in order for each new connection: URIs (ldap://, ldaps://, "
         "ldapi://) or host[:port] names, separated by spaces or commas; may be repeated",
         true,
         [](Parsed& p, const std::string& v) {
             p.server_items.push_back(v);
         }},
        {"server_port", "389", "port for server_host names given without a port", false,
         [](Parsed& p, const std::string& v) {
             p.server_port = to_number(v, 1, 65535);
         }},
        {"bind_dn", "", "DN to bind as for lookups; empty binds anonymously", false,
         [](Parsed& p, const std::string& v) {
             if (!v.empty() && !util::parse_dn(v))
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             p.s.profile.bind_dn = v;
         }},
        {"bind_pw_file", "",
         "file whose first line is bind_dn's password: owner root, group of the daemons' user, "
         "mode 0640 (refused when every user may read it)",
         false,
         [](Parsed& p, const std::string& v) {
             p.bind_pw_file = v;
         }},
        {"sasl_mech", "", "SASL mechanism for the service bind (EXTERNAL over ldapi://)", false,
         [](Parsed& p, const std::string& v) {
             p.s.profile.sasl_mech = v;
         }},
        {"sasl_authz_id", "", "SASL authorization identity (usually empty)", false,
         [](Parsed& p, const std::string& v) {
             p.s.profile.sasl_authz_id = v;
         }},
        {"admin_uri", "",
         "ldapi:// URI the administration commands bind to with SASL EXTERNAL when run without "
         "--as; empty: the first ldapi:// server_host, else ldapi:/// (slapd's default socket)",
         false,
         [](Parsed& p, const std::string& v) {
             if (!v.empty() && v.rfind("ldapi://", 0) != 0)
                 throw BadValue{"'" + v + "' is not an ldapi:// URI"};
             p.s.profile.admin_uri = v;
         }},
        {"start_tls", "no", "issue StartTLS on ldap:// connections (failure is an error)", false,
         [](Parsed& p, const std::string& v) {
             p.s.profile.start_tls = to_bool(v);
         }},
        {"tls_ca_file", "", "CA certificates to verify the server with (PEM)", false,
         [path](Parsed& p, const std::string& v) {
             p.s.profile.tls_ca_file = path(v);
         }},
        {"tls_ca_dir", "", "directory of hashed CA certificates", false,
         [path](Parsed& p, const std::string& v) {
             p.s.profile.tls_ca_dir = path(v);
         }},
        {"tls_cert_file", "", "client certificate (PEM), for TLS client authentication", false,
         [path](Parsed& p, const std::string& v) {
             p.s.profile.tls_cert_file = path(v);
         }},
        {"tls_key_file", "", "client private key (PEM)", false,
         [path](Parsed& p, const std::string& v) {
             p.s.profile.tls_key_file = path(v);
         }},
        {"allow_cleartext_ldap", "no",
         "allow ldap:// servers off this host without start_tls: bind_dn's password, the "
         "passwords of logins (auth_method = bind) and stored hashes (compare) then cross the "
         "network in the clear",
         false,
         [](Parsed& p, const std::string& v) {
             p.allow_cleartext = to_bool(v);
         }},
        {"tls_require_cert", "yes", "refuse servers whose certificate does not verify", false,
         [](Parsed& p, const std::string& v) {
             p.s.profile.tls_require_cert = to_bool(v);
         }},
        {"connect_timeout", "5s", "bound on each TCP connect to one server", false,
         [](Parsed& p, const std::string& v) {
             p.s.connect_timeout = to_duration(v);
             if (p.s.connect_timeout.count() <= 0)
                 throw BadValue{"must be more than 0"};
         }},
        {"pool_size", "8", "LDAP connections for lookups (one thread uses one at a time)", false,
         [](Parsed& p, const std::string& v) {
             p.s.pool_size = to_number(v, 1, 1024);
         }},
        {"auth_pool_size", "2", "LDAP connections reserved for password-checking binds", false,
         [](Parsed& p, const std::string& v) {
             p.s.auth_pool_size = to_number(v, 1, 1024);
         }},
    };
}

} // namespace

std::vector<KeyHelp> ldap_key_help() {
    return help_of(make_keys(nullptr));
}

std::shared_ptr<const LdapSettings> parse_ldap_settings(const ConfigText& text,
                                                        const Config& core) {
    Parsed p;
    apply_keys(text, make_keys(&text), p);
    LdapSettings& s = p.s;

    std::vector<std::string> servers;
    auto server_lines = text.settings("server_host");
    for (std::size_t i = 0; i < p.server_items.size(); ++i) {
        try {
            auto some = to_servers(p.server_items[i], p.server_port);
            for (const std::string& uri : some)
                if (!p.allow_cleartext && !protected_transport(uri, s.profile.start_tls))
                    throw BadValue{"'" + uri + "' is off this host and start_tls is off: "
                                   "passwords would cross the network in the clear. Use "
                                   "ldaps://, start_tls = yes, or ldapi:// on the LDAP host "
                                   "(allow_cleartext_ldap = yes to accept it)"};
            servers.insert(servers.end(), some.begin(), some.end());
        } catch (const BadValue& bad) {
            // server_host may be repeated: blame the line the bad item stands on.
            text.fail("server_host", bad.problem, server_lines[i]->line);
        }
    }
    if (!servers.empty())
        s.profile.servers = std::move(servers);
    else if (p.server_port != 389)
        s.profile.servers = {"ldap://localhost:" + std::to_string(p.server_port) + "/"};
    else
        s.profile.servers = {"ldap://localhost/"}; // ldap_table(5)'s default

    if (!s.profile.bind_dn.empty() && p.bind_pw_file.empty())
        text.fail("bind_dn", "needs bind_pw_file with its password");
    if (!p.bind_pw_file.empty()) {
        if (s.profile.bind_dn.empty())
            text.fail("bind_pw_file", "set, but bind_dn is empty");
        s.profile.bind_pw_file = text.path(p.bind_pw_file);
        try {
            s.bind_password = read_secret_file(s.profile.bind_pw_file);
        } catch (const BadValue& bad) {
            text.fail("bind_pw_file", bad.problem);
        }
    }
    if (!s.profile.sasl_mech.empty() && !s.profile.bind_dn.empty())
        text.fail("sasl_mech", "cannot be combined with bind_dn (a simple bind)");
    if (s.connect_timeout > core.timeout)
        s.connect_timeout = core.timeout;
    for (const auto& [key, path] :
         {std::pair<const char*, const std::string*>{"tls_ca_file", &s.profile.tls_ca_file},
          {"tls_cert_file", &s.profile.tls_cert_file},
          {"tls_key_file", &s.profile.tls_key_file}}) {
        std::error_code ec;
        if (!path->empty() && fs::is_directory(*path, ec))
            text.fail(key, "'" + *path + "' is a directory, not a PEM file");
        if (!path->empty() && !std::ifstream(*path))
            text.fail(key, "cannot read '" + *path + "'");
    }
    if (std::error_code ec;
        !s.profile.tls_ca_dir.empty() && !fs::is_directory(s.profile.tls_ca_dir, ec))
        text.fail("tls_ca_dir", "'" + s.profile.tls_ca_dir + "' is not a directory");
    if (s.profile.tls_cert_file.empty() != s.profile.tls_key_file.empty()) {
        // Name the key that is set, on its own line.
        const char* given = s.profile.tls_cert_file.empty() ? "tls_key_file" : "tls_cert_file";
        text.fail(given, "tls_cert_file and tls_key_file go together");
    }
    return std::make_shared<const LdapSettings>(std::move(s));
}

bool protected_transport(const std::string& uri, bool start_tls) {
    const std::string lower = util::ascii_lower(uri);
    if (lower.starts_with("ldapi://") || lower.starts_with("ldaps://") || start_tls)
        return true;
    LDAPURLDesc* url = nullptr;
    if (ldap_url_parse(uri.c_str(), &url) != LDAP_URL_SUCCESS || !url)
        return false;
    const std::string host = url->lud_host ? url->lud_host : "";
    ldap_free_urldesc(url);
    // Loopback by address (127.0.0.0/8, ::1), not by spelling: "127.example.com" is a name.
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, host.c_str(), &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    if (inet_pton(AF_INET6, host.c_str(), &v6) == 1)
        return IN6_IS_ADDR_LOOPBACK(&v6);
    return host == "localhost";
}

const LdapSettings* ldap_settings(const Config& config) {
    return dynamic_cast<const LdapSettings*>(config.directory.find("ldap"));
}

} // namespace vmaildir::ldap
