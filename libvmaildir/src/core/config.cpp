// Configuration file parsing with Boost.Program_options.
//
// Boost parses `key = value`, rejects unknown keys and repeated single-value
// keys; it does not know line numbers, so the file is scanned once first to
// remember where each key stands and to reject lines that are not
// `key = value` with their line number.  Values are then converted and
// validated here, key by key, so every error names file, line and key.
#include "vmaildir/config.hpp"

#include <boost/program_options.hpp>

#include <algorithm>
#include <charconv>
#include <fstream>
#include <functional>
#include <iterator>
#include <map>
#include <sstream>
#include <string_view>

#include "util/dn.hpp"
#include "util/text.hpp"

namespace po = boost::program_options;

namespace vmaildir {

namespace {

/// A value that does not fit its key; the caller adds file, line and key.
struct BadValue {
    std::string problem;
};

struct Key {
    const char* name;
    const char* default_text; ///< nullptr: no default
    const char* help;
    bool multi = false; ///< may be given several times; values accumulate
    std::function<void(Config&, const std::string&)> apply;
};

bool to_bool(const std::string& v) {
    bool ok = false;
    bool b = util::parse_bool(v, ok);
    if (!ok)
        throw BadValue{"expected yes or no, got '" + util::printable(v) + "'"};
    return b;
}

unsigned long to_number(const std::string& v, unsigned long min, unsigned long max) {
    std::string_view s = util::trim(v);
    unsigned long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc() || end != s.data() + s.size())
        throw BadValue{"expected a number, got '" + util::printable(v) + "'"};
    if (n < min || n > max)
        throw BadValue{"expected a number from " + std::to_string(min) + " to " +
                       std::to_string(max) + ", got " + std::to_string(n)};
    return n;
}

/// Postfix time syntax: a number with an optional unit s, m, h, d (seconds by default), plus ms.
std::chrono::milliseconds to_duration(const std::string& v) {
    std::string_view s = util::trim(v);
    std::size_t digits = 0;
    while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9')
        ++digits;
    std::string_view unit = s.substr(digits);
    long long n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + digits, n);
    if (digits == 0 || ec != std::errc() || n > 10'000'000)
        throw BadValue{"expected a time such as 10s, 500ms, 2m, got '" + util::printable(v) + "'"};
    long long factor = 0;
    if (unit.empty() || unit == "s")
        factor = 1000;
    else if (unit == "ms")
        factor = 1;
    else if (unit == "m")
        factor = 60'000;
    else if (unit == "h")
        factor = 3'600'000;
    else if (unit == "d")
        factor = 86'400'000;
    else
        throw BadValue{"unknown time unit '" + util::printable(unit) + "' (use ms, s, m, h or d)"};
    // Bound the product, not just the number: steady_clock counts nanoseconds in 64 bits, so
    // "10000000d" would overflow `now() + timeout` (about 292 years at most).
    constexpr long long max_ms = 3650LL * 86'400'000;
    if (n * factor > max_ms)
        throw BadValue{"expected a time of at most 3650d, got '" + util::printable(v) + "'"};
    return std::chrono::milliseconds(n * factor);
}

std::string read_secret_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw BadValue{"cannot read '" + path + "'"};
    std::string secret;
    std::getline(in, secret);
    while (!secret.empty() && (secret.back() == '\r' || secret.back() == '\n'))
        secret.pop_back();
    if (secret.empty())
        throw BadValue{"'" + path + "' is empty"};
    return secret;
}

std::string resolve_path(const std::string& base_dir, const std::string& path) {
    if (path.empty() || path.front() == '/' || base_dir.empty() || base_dir == ".")
        return path;
    return base_dir + "/" + path;
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
    return out;
}

/// Everything the key handlers need besides the Config itself.
struct Context {
    std::string base_dir;
    unsigned long server_port = 389;
    std::vector<std::string> server_items;
    std::string bind_pw_file;
};

std::vector<Key> make_keys(Context& ctx) {
    std::vector<Key> keys = {
        // Directory connection (ldap_table(5) names)
        {"server_host", "ldap://localhost/",
         "LDAP servers, tried in order for each new connection: URIs (ldap://, ldaps://, "
         "ldapi://) or host[:port] names, separated by spaces or commas; may be repeated",
         true, [&ctx](Config&, const std::string& v) { ctx.server_items.push_back(v); }},
        {"server_port", "389", "port for server_host names given without a port", false,
         [&ctx](Config&, const std::string& v) { ctx.server_port = to_number(v, 1, 65535); }},
        {"search_base", nullptr, "base DN of the mail tree (required)", false,
         [](Config& c, const std::string& v) {
             if (!util::parse_dn(v) || util::trim(v).empty())
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             c.search_base = std::string(util::trim(v));
         }},
        {"bind_dn", "", "DN to bind as for lookups; empty binds anonymously", false,
         [](Config& c, const std::string& v) { c.ldap.bind_dn = std::string(util::trim(v)); }},
        {"bind_pw_file", "",
         "file whose first line is bind_dn's password (keep it mode 0600 or 0640)", false,
         [&ctx](Config&, const std::string& v) { ctx.bind_pw_file = std::string(util::trim(v)); }},
        {"sasl_mech", "", "SASL mechanism for the service bind (EXTERNAL over ldapi://)", false,
         [](Config& c, const std::string& v) { c.ldap.sasl_mech = std::string(util::trim(v)); }},
        {"sasl_authz_id", "", "SASL authorization identity (usually empty)", false,
         [](Config& c, const std::string& v) {
             c.ldap.sasl_authz_id = std::string(util::trim(v));
         }},
        {"start_tls", "no", "issue StartTLS on ldap:// connections (failure is an error)", false,
         [](Config& c, const std::string& v) { c.ldap.start_tls = to_bool(v); }},
        {"tls_ca_file", "", "CA certificates to verify the server with (PEM)", false,
         [&ctx](Config& c, const std::string& v) {
             c.ldap.tls_ca_file = resolve_path(ctx.base_dir, std::string(util::trim(v)));
         }},
        {"tls_ca_dir", "", "directory of hashed CA certificates", false,
         [&ctx](Config& c, const std::string& v) {
             c.ldap.tls_ca_dir = resolve_path(ctx.base_dir, std::string(util::trim(v)));
         }},
        {"tls_cert_file", "", "client certificate (PEM), for TLS client authentication", false,
         [&ctx](Config& c, const std::string& v) {
             c.ldap.tls_cert_file = resolve_path(ctx.base_dir, std::string(util::trim(v)));
         }},
        {"tls_key_file", "", "client private key (PEM)", false,
         [&ctx](Config& c, const std::string& v) {
             c.ldap.tls_key_file = resolve_path(ctx.base_dir, std::string(util::trim(v)));
         }},
        {"tls_require_cert", "yes", "refuse servers whose certificate does not verify", false,
         [](Config& c, const std::string& v) { c.ldap.tls_require_cert = to_bool(v); }},
        {"timeout", "10s",
         "time budget of one lookup, connects and failover included; on expiry the answer is "
         "a temporary failure",
         false,
         [](Config& c, const std::string& v) {
             c.timeout = to_duration(v);
             if (c.timeout.count() <= 0)
                 throw BadValue{"must be more than 0"};
         }},
        {"connect_timeout", "5s", "bound on each TCP connect to one server", false,
         [](Config& c, const std::string& v) {
             c.ldap.connect_timeout = to_duration(v);
             if (c.ldap.connect_timeout.count() <= 0)
                 throw BadValue{"must be more than 0"};
         }},
        {"size_limit", "100",
         "most entries one lookup may return; more is a temporary failure", false,
         [](Config& c, const std::string& v) { c.size_limit = to_number(v, 1, 1'000'000); }},
        {"pool_size", "8", "LDAP connections for lookups (one thread uses one at a time)", false,
         [](Config& c, const std::string& v) { c.ldap.pool_size = to_number(v, 1, 1024); }},
        {"auth_pool_size", "2", "LDAP connections reserved for password-checking binds", false,
         [](Config& c, const std::string& v) { c.ldap.auth_pool_size = to_number(v, 1, 1024); }},
        {"ldif_file", "",
         "answer from this LDIF file held in memory instead of LDAP (tests, offline checks)",
         false,
         [&ctx](Config& c, const std::string& v) {
             c.ldif_file = resolve_path(ctx.base_dir, std::string(util::trim(v)));
         }},

        // Directory model
        {"schema", "jamm", "layout preset: jamm, courier or mailrouter", false,
         [](Config&, const std::string&) {}}, // applied first, see parse_config
        {"recipient_delimiter", "+",
         "characters that start a sub-address (user+tag@domain); empty disables", false,
         [](Config& c, const std::string& v) {
             c.address.delimiters = std::string(util::trim(v));
             for (char ch : c.address.delimiters)
                 if (ch == '@' || static_cast<unsigned char>(ch) < 0x21 ||
                     static_cast<unsigned char>(ch) > 0x7e)
                     throw BadValue{"delimiters must be printable ASCII other than @"};
         }},
        {"case_sensitive_local_part", "no", "compare local parts case-sensitively", false,
         [](Config& c, const std::string& v) {
             c.address.case_sensitive_local_part = to_bool(v);
         }},
        {"default_transport", "virtual:",
         "transport answered for domains whose entry names none", false,
         [](Config& c, const std::string& v) {
             c.default_transport = std::string(util::trim(v));
             if (c.default_transport.empty())
                 throw BadValue{"must not be empty"};
         }},
        {"static_uid", "", "uid answered for every account (else the entry's uid number)", false,
         [](Config& c, const std::string& v) {
             if (!util::trim(v).empty())
                 c.static_uid = to_number(v, 1, 4294967294UL);
         }},
        {"static_gid", "", "gid answered for every account (else the entry's gid number)", false,
         [](Config& c, const std::string& v) {
             if (!util::trim(v).empty())
                 c.static_gid = to_number(v, 1, 4294967294UL);
         }},
        {"edit_accounts_default", "yes",
         "whether a domain's postmasters may create accounts when its entry does not say",
         false,
         [](Config& c, const std::string& v) { c.edit_accounts_default = to_bool(v); }},
        {"edit_postmasters_default", "no",
         "whether a domain's postmasters may appoint postmasters when its entry does not say",
         false,
         [](Config& c, const std::string& v) { c.edit_postmasters_default = to_bool(v); }},
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
         [](Config& c, const std::string& v) { c.cache.positive_ttl = to_duration(v); }},
        {"cache_negative_ttl", "30s", "how long a not-found answer is reused", false,
         [](Config& c, const std::string& v) { c.cache.negative_ttl = to_duration(v); }},
        {"cache_stale_ttl", "0",
         "while the directory fails, answers up to this long past expiry are still used "
         "(and logged); 0 never serves stale answers",
         false, [](Config& c, const std::string& v) { c.cache.stale_ttl = to_duration(v); }},
        {"cache_size", "100000", "most cached answers; 0 disables the cache", false,
         [](Config& c, const std::string& v) { c.cache.max_entries = to_number(v, 0, 100'000'000); }},

        // Authentication
        {"auth_method", "bind",
         "bind: check passwords by binding as the account (slapd verifies the hash); compare: "
         "read the password attribute and verify it here",
         false,
         [](Config& c, const std::string& v) {
             std::string m = util::ascii_lower(util::trim(v));
             if (m == "bind")
                 c.auth.method = AuthMethod::bind;
             else if (m == "compare")
                 c.auth.method = AuthMethod::compare;
             else
                 throw BadValue{"expected bind or compare, got '" + util::printable(v) + "'"};
         }},
        {"password_scheme", "SHA512-CRYPT", "scheme for new passwords", false,
         [](Config& c, const std::string& v) {
             auto s = parse_password_scheme(util::trim(v));
             if (!s) {
                 std::string names;
                 for (const std::string& n : password_scheme_names())
                     names += (names.empty() ? "" : ", ") + n;
                 throw BadValue{"unknown scheme '" + util::printable(v) + "' (use " + names + ")"};
             }
             c.auth.scheme = *s;
         }},
        {"auth_cache_ttl", "60s",
         "how long a successful login is accepted again with the same password without "
         "asking the directory (only a keyed hash of the password is kept; a password changed "
         "through vmaildir takes effect at once, one changed elsewhere within this time); 0 "
         "checks every login in the directory",
         false, [](Config& c, const std::string& v) { c.auth.cache_ttl = to_duration(v); }},
        {"allow_cleartext_passwords", "no", "accept password attributes stored in cleartext",
         false,
         [](Config& c, const std::string& v) { c.auth.allow_cleartext = to_bool(v); }},
        {"default_domain", "", "domain appended to logins given without @domain", false,
         [](Config& c, const std::string& v) {
             if (util::trim(v).empty())
                 return;
             auto d = normalise_domain(v);
             if (!d)
                 throw BadValue{"'" + util::printable(v) + "' is not a domain name"};
             c.auth.default_domain = *d;
         }},

        // Delegated administration
        {"site_admins", "", "DN of a site administrator; may be repeated", true,
         [](Config& c, const std::string& v) {
             if (util::trim(v).empty())
                 return;
             if (!util::parse_dn(v))
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             c.site_admins.emplace_back(util::trim(v));
         }},
        {"site_admin_group", "",
         "DN of a group (member/roleOccupant) of site administrators; the mailrouter preset "
         "defaults to cn=admin,<search_base>",
         false,
         [](Config& c, const std::string& v) {
             if (!util::trim(v).empty() && !util::parse_dn(v))
                 throw BadValue{"'" + util::printable(v) + "' is not a DN"};
             c.site_admin_group = std::string(util::trim(v));
         }},
        {"anonymous_read", "yes", "anonymous clients may read non-secret attributes", false,
         [](Config& c, const std::string& v) { c.acl.anonymous_read = to_bool(v); }},
        {"domain_admin_sets_quota", "no", "a domain's postmasters may change account quotas",
         false,
         [](Config& c, const std::string& v) { c.acl.domain_admin_sets_quota = to_bool(v); }},

        // Logging
        {"log", "syslog", "where to log: syslog or stderr", false,
         [](Config& c, const std::string& v) {
             std::string t = util::ascii_lower(util::trim(v));
             if (t != "syslog" && t != "stderr")
                 throw BadValue{"expected syslog or stderr, got '" + util::printable(v) + "'"};
             c.log_target = t;
         }},
        {"log_facility", "mail", "syslog facility (mail, daemon, auth, local0..local7)", false,
         [](Config& c, const std::string& v) {
             // Checked by name: building a syslog logger would openlog()/closelog() and
             // reset the ident of a logger the process already has.
             std::string f = util::ascii_lower(util::trim(v));
             if (!is_syslog_facility(f))
                 throw BadValue{"unknown syslog facility '" + util::printable(v) + "'"};
             c.log_facility = f;
         }},
        {"log_level", "info", "least severe level logged: debug, info, warning, error", false,
         [](Config& c, const std::string& v) {
             if (!parse_log_level(util::ascii_lower(util::trim(v)), c.log_level))
                 throw BadValue{"expected debug, info, warning or error"};
         }},
    };
    for (const SchemaKey& sk : schema_keys()) {
        auto member = sk.member;
        keys.push_back({sk.key, "(preset)", sk.help, false,
                        [member](Config& c, const std::string& v) {
                            c.schema.*member = std::string(util::trim(v));
                        }});
    }
    return keys;
}

/// Key name → line numbers where it is set, and the syntax check Boost cannot locate.
std::map<std::string, std::vector<std::size_t>> scan_lines(const std::string& text,
                                                           const std::string& source) {
    std::map<std::string, std::vector<std::size_t>> lines;
    std::istringstream in(text);
    std::string line;
    std::size_t number = 0;
    while (std::getline(in, line)) {
        ++number;
        std::string_view l = util::trim(line);
        if (auto hash = l.find('#'); hash != std::string_view::npos)
            l = util::trim(l.substr(0, hash));
        if (l.empty())
            continue;
        if (l.front() == '[')
            throw ConfigError(source, number, "",
                              "sections are not supported, got '" + util::printable(l) + "'");
        auto eq = l.find('=');
        if (eq == std::string_view::npos)
            throw ConfigError(source, number, "", "expected 'key = value', got '" +
                                                      util::printable(l) + "'");
        std::string key(util::trim(l.substr(0, eq)));
        if (key.empty())
            throw ConfigError(source, number, "", "missing key before '='");
        lines[key].push_back(number);
    }
    return lines;
}

} // namespace

ConfigError::ConfigError(const std::string& file, std::size_t line, const std::string& key,
                         const std::string& problem)
    : std::runtime_error(file + (line ? ":" + std::to_string(line) : std::string()) + ": " +
                         (key.empty() ? std::string() : key + ": ") + problem),
      file_(file), line_(line), key_(key) {}

Config parse_config(std::istream& in, const std::string& source, const std::string& base_dir) {
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    const auto lines = scan_lines(text, source);
    auto line_of = [&](const std::string& key, bool last = false) -> std::size_t {
        auto it = lines.find(key);
        if (it == lines.end() || it->second.empty())
            return 0;
        return last ? it->second.back() : it->second.front();
    };

    Context ctx;
    ctx.base_dir = base_dir;
    const std::vector<Key> keys = make_keys(ctx);

    po::options_description desc;
    for (const Key& k : keys) {
        if (k.multi)
            desc.add_options()(k.name, po::value<std::vector<std::string>>()->composing());
        else
            desc.add_options()(k.name, po::value<std::string>());
    }

    po::variables_map vm;
    try {
        std::istringstream again(text);
        po::store(po::parse_config_file(again, desc, false), vm);
        po::notify(vm);
    } catch (const po::unknown_option& e) {
        std::string key = e.get_option_name();
        throw ConfigError(source, line_of(key), key, "unknown key");
    } catch (const po::multiple_occurrences& e) {
        std::string key = e.get_option_name();
        throw ConfigError(source, line_of(key, true), key, "given more than once");
    } catch (const po::error& e) {
        throw ConfigError(source, 0, "", e.what());
    }

    Config config;
    config.path = source;

    // The preset goes first so that per-name overrides apply on top of it, wherever they stand.
    std::string preset = vm.count("schema") ? std::string(util::trim(vm["schema"].as<std::string>()))
                                            : std::string("jamm");
    auto schema = preset_schema(util::ascii_lower(preset));
    if (!schema) {
        std::string names;
        for (const std::string& n : preset_names())
            names += (names.empty() ? "" : ", ") + n;
        throw ConfigError(source, line_of("schema"), "schema",
                          "unknown preset '" + util::printable(preset) + "' (use " + names + ")");
    }
    config.schema = *schema;

    for (const Key& k : keys) {
        if (!vm.count(k.name))
            continue;
        std::vector<std::string> values;
        if (k.multi)
            values = vm[k.name].as<std::vector<std::string>>();
        else
            values.push_back(vm[k.name].as<std::string>());
        for (std::size_t i = 0; i < values.size(); ++i) {
            try {
                k.apply(config, values[i]);
            } catch (const BadValue& bad) {
                auto it = lines.find(k.name);
                std::size_t line =
                    it != lines.end() && i < it->second.size() ? it->second[i] : line_of(k.name);
                throw ConfigError(source, line, k.name, bad.problem);
            }
        }
    }

    // Cross-key checks, each blamed on the key a reader would fix.
    if (config.search_base.empty())
        throw ConfigError(source, 0, "search_base", "required, but not set");
    std::vector<std::string> servers;
    for (std::size_t i = 0; i < ctx.server_items.size(); ++i) {
        try {
            auto some = to_servers(ctx.server_items[i], ctx.server_port);
            servers.insert(servers.end(), some.begin(), some.end());
        } catch (const BadValue& bad) {
            // server_host may be repeated: blame the line the bad item stands on.
            auto it = lines.find("server_host");
            std::size_t line = it != lines.end() && i < it->second.size() ? it->second[i]
                                                                          : line_of("server_host");
            throw ConfigError(source, line, "server_host", bad.problem);
        }
    }
    if (!servers.empty())
        config.ldap.servers = std::move(servers);
    else if (ctx.server_port != 389)
        config.ldap.servers = {"ldap://localhost:" + std::to_string(ctx.server_port) + "/"};
    if (!config.ldap.bind_dn.empty() && ctx.bind_pw_file.empty())
        throw ConfigError(source, line_of("bind_dn"), "bind_dn",
                          "needs bind_pw_file with its password");
    if (!ctx.bind_pw_file.empty()) {
        if (config.ldap.bind_dn.empty())
            throw ConfigError(source, line_of("bind_pw_file"), "bind_pw_file",
                              "set, but bind_dn is empty");
        try {
            config.ldap.bind_password = read_secret_file(resolve_path(base_dir, ctx.bind_pw_file));
        } catch (const BadValue& bad) {
            throw ConfigError(source, line_of("bind_pw_file"), "bind_pw_file", bad.problem);
        }
    }
    if (!config.ldap.sasl_mech.empty() && !config.ldap.bind_dn.empty())
        throw ConfigError(source, line_of("sasl_mech"), "sasl_mech",
                          "cannot be combined with bind_dn (a simple bind)");
    if (config.ldap.connect_timeout > config.timeout)
        config.ldap.connect_timeout = config.timeout;
    for (const auto& [key, path] :
         {std::pair<const char*, const std::string*>{"tls_ca_file", &config.ldap.tls_ca_file},
          {"tls_cert_file", &config.ldap.tls_cert_file},
          {"tls_key_file", &config.ldap.tls_key_file},
          {"ldif_file", &config.ldif_file}}) {
        if (!path->empty() && !std::ifstream(*path))
            throw ConfigError(source, line_of(key), key, "cannot read '" + *path + "'");
    }
    if (config.ldap.tls_cert_file.empty() != config.ldap.tls_key_file.empty()) {
        // Name the key that is set, on its own line.
        const char* given = config.ldap.tls_cert_file.empty() ? "tls_key_file" : "tls_cert_file";
        throw ConfigError(source, line_of(given), given,
                          "tls_cert_file and tls_key_file go together");
    }
    const Schema& s = config.schema;
    for (const auto& [key, value] :
         {std::pair<const char*, const std::string*>{"domain_object_class", &s.domain_object_class},
          {"domain_attribute", &s.domain_attribute},
          {"account_object_class", &s.account_object_class},
          {"account_address_attribute", &s.account_address_attribute},
          {"alias_object_class", &s.alias_object_class},
          {"alias_address_attribute", &s.alias_address_attribute},
          {"alias_destination_attribute", &s.alias_destination_attribute}}) {
        if (value->empty())
            throw ConfigError(source, line_of(key), key, "must not be empty");
    }
    if (s.address_form == AddressForm::local_part && s.catchall_local_part.empty())
        throw ConfigError(source, line_of("catchall_local_part"), "catchall_local_part",
                          "must not be empty for a local-part layout");
    if (config.site_admin_group.empty() && !s.site_admin_group_rdn.empty())
        config.site_admin_group = s.site_admin_group_rdn + "," + config.search_base;
    return config;
}

Config load_config(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw ConfigError(path, 0, "", "cannot open the configuration file");
    std::string dir = ".";
    if (auto slash = path.rfind('/'); slash != std::string::npos)
        dir = slash == 0 ? "/" : path.substr(0, slash);
    return parse_config(in, path, dir);
}

std::string config_reference() {
    Context ctx;
    std::ostringstream out;
    for (const Key& k : make_keys(ctx)) {
        out << k.name;
        if (k.default_text && *k.default_text)
            out << " (default: " << k.default_text << ")";
        else if (!k.default_text)
            out << " (required)";
        out << "\n    " << k.help << "\n";
    }
    return out.str();
}

} // namespace vmaildir
