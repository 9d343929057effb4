// raw_ldap_search -- the "raw libldap search" reference for an uncached
// vmaildir lookup (bench/run-postfix-bench).
//
//   raw_ldap_search -H URI -b BASE [-D BINDDN -y PWFILE] [-m mailbox|alias]
//                   [-a ATTR,ATTR...] [-e] < KEYS
//
// Reads every key (one address per line) from stdin first, then, on ONE
// connection bound once, runs exactly one ldap_search_ext_s per key with the
// filter, scope, attribute list and size limit vmaildir sends for that key in
// the jamm layout (libvmaildir/src/core/mail_reader.cpp MailReader::candidates,
// one-search form): the OR of the domain filter and the entry filter over the
// local part, the local part without its +sub-address and (map alias only)
// the catch-all:
//
//   (|(&(objectClass=JammVirtualDomain)(jvd=D))
//     (&(|(objectClass=JammMailAccount)(objectClass=JammMailAlias))
//       (|(mail=L@D)(mail=S@D)(mail=@D))))
//
// It walks every returned attribute value (as vmaildir's collect_entries does)
// but builds nothing from it.  Prints the count, the time and lookups/s on
// stdout: "raw_ldap_search: N lookups, F with an entry, T s, R lookups/s".
//
// What-if options (docs/benchmarks.md), not what vmaildir does today:
//   -a ATTRS  request only these attributes instead of vmaildir's full list
//   -e        leave the domain entry out of the filter (as if the domain were
//             known from a separate domain cache): only the entry filter
// Exit 0; 1 if any search failed (the rate is then meaningless); 64 on usage.
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <ldap.h>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

namespace {

struct LdapFree {
    void operator()(LDAP* ld) const noexcept { ldap_unbind_ext_s(ld, nullptr, nullptr); }
};
struct MessageFree {
    void operator()(LDAPMessage* m) const noexcept { ldap_msgfree(m); }
};

/// RFC 4515 escaping, the same set vmaildir escapes (libvmaildir/src/core/filter.cpp).
std::string escape(const std::string& value) {
    std::string out;
    for (char ch : value) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7f) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "\\%02X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out;
}

std::string lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// vmaildir's filter for one key, or "" for a key vmaildir answers without searching.
std::string filter_for(std::string key, bool catch_all, bool with_domain) {
    while (!key.empty() && (key.back() == '\r' || key.back() == ' ' || key.back() == '\t'))
        key.pop_back();
    if (key.size() >= 2 && key.front() == '<' && key.back() == '>')
        key = key.substr(1, key.size() - 2);
    std::size_t at = key.rfind('@');
    if (at == std::string::npos || at == 0 || at + 1 == key.size())
        return {};
    std::string local = lower(key.substr(0, at)), domain = lower(key.substr(at + 1));
    std::vector<std::string> locals{local};
    if (std::size_t cut = local.find('+'); cut != std::string::npos && cut > 0)
        locals.push_back(local.substr(0, cut));
    if (catch_all)
        locals.emplace_back();
    std::string d = escape(domain);
    std::string addresses;
    for (const std::string& l : locals)
        addresses += "(mail=" + escape(l + "@" + domain) + ")";
    if (locals.size() > 1)
        addresses = "(|" + addresses + ")";
    std::string entry =
        "(&(|(objectClass=JammMailAccount)(objectClass=JammMailAlias))" + addresses + ")";
    if (!with_domain)
        return entry;
    return "(|(&(objectClass=JammVirtualDomain)(jvd=" + d + "))" + entry + ")";
}

int usage() {
    std::fprintf(stderr, "usage: raw_ldap_search -H URI -b BASE [-D BINDDN -y PWFILE] "
                         "[-m mailbox|alias] [-a ATTR,ATTR...] [-e] < KEYS\n");
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    std::string uri, base, bind_dn, password_file, map = "mailbox";
    // The attributes vmaildir asks for in the jamm layout (EntryMapper's list).
    std::vector<std::string> attribute_names{
        "jvd",  "postfixTransport", "editAccounts",  "editPostmasters", "accountActive", "delete",
        "mail", "mailbox",          "homeDirectory", "uidNumber",       "gidNumber",     "quota",
        "cn",   "maildrop",         "objectClass"};
    bool with_domain = true;
    for (int opt; (opt = getopt(argc, argv, "H:b:D:y:m:a:e")) != -1;) {
        switch (opt) {
        case 'H':
            uri = optarg;
            break;
        case 'b':
            base = optarg;
            break;
        case 'D':
            bind_dn = optarg;
            break;
        case 'y':
            password_file = optarg;
            break;
        case 'm':
            map = optarg;
            break;
        case 'e':
            with_domain = false;
            break;
        case 'a': {
            attribute_names.clear();
            std::string list = optarg;
            for (std::size_t start = 0; start <= list.size();) {
                std::size_t comma = list.find(',', start);
                if (comma == std::string::npos)
                    comma = list.size();
                if (comma > start)
                    attribute_names.push_back(list.substr(start, comma - start));
                start = comma + 1;
            }
            break;
        }
        default:
            return usage();
        }
    }
    if (uri.empty() || base.empty() || optind != argc || (map != "mailbox" && map != "alias") ||
        bind_dn.empty() != password_file.empty())
        return usage();

    std::vector<std::string> filters;
    for (std::string line; std::getline(std::cin, line);)
        if (std::string f = filter_for(line, map == "alias", with_domain); !f.empty())
            filters.push_back(std::move(f));

    LDAP* raw = nullptr;
    if (ldap_initialize(&raw, uri.c_str()) != LDAP_SUCCESS || !raw) {
        std::fprintf(stderr, "raw_ldap_search: bad URI %s\n", uri.c_str());
        return 1;
    }
    std::unique_ptr<LDAP, LdapFree> ld(raw);
    int version = LDAP_VERSION3;
    ldap_set_option(ld.get(), LDAP_OPT_PROTOCOL_VERSION, &version);
    ldap_set_option(ld.get(), LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
    std::string password;
    if (!password_file.empty()) {
        std::ifstream in(password_file);
        std::getline(in, password);
    }
    berval cred{static_cast<ber_len_t>(password.size()), password.data()};
    int rc = ldap_sasl_bind_s(ld.get(), bind_dn.empty() ? nullptr : bind_dn.c_str(),
                              LDAP_SASL_SIMPLE, &cred, nullptr, nullptr, nullptr);
    if (rc != LDAP_SUCCESS) {
        std::fprintf(stderr, "raw_ldap_search: bind: %s\n", ldap_err2string(rc));
        return 1;
    }

    std::vector<char*> attributes;
    for (std::string& a : attribute_names)
        attributes.push_back(a.data());
    attributes.push_back(nullptr);
    std::size_t with_entry = 0, failed = 0;
    auto start = std::chrono::steady_clock::now();
    for (const std::string& filter : filters) {
        timeval tv{10, 0};
        LDAPMessage* msg = nullptr;
        rc = ldap_search_ext_s(ld.get(), base.c_str(), LDAP_SCOPE_SUBTREE, filter.c_str(),
                               attributes.data(), 0, nullptr, nullptr, &tv, 100, &msg);
        std::unique_ptr<LDAPMessage, MessageFree> result(msg);
        if (rc != LDAP_SUCCESS) {
            if (++failed <= 3)
                std::fprintf(stderr, "raw_ldap_search: %s: %s\n", filter.c_str(),
                             ldap_err2string(rc));
            continue;
        }
        int entries = 0;
        for (LDAPMessage* e = ldap_first_entry(ld.get(), msg); e;
             e = ldap_next_entry(ld.get(), e)) {
            ++entries;
            char* dn = ldap_get_dn(ld.get(), e);
            ldap_memfree(dn);
            BerElement* ber = nullptr;
            for (char* a = ldap_first_attribute(ld.get(), e, &ber); a;
                 a = ldap_next_attribute(ld.get(), e, ber)) {
                berval** values = ldap_get_values_len(ld.get(), e, a);
                ldap_value_free_len(values);
                ldap_memfree(a);
            }
            ber_free(ber, 0);
        }
        if (entries > (with_domain ? 1 : 0))
            ++with_entry;
    }
    std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    double seconds = took.count();
    std::printf("raw_ldap_search: %zu lookups, %zu with an entry, %.3f s, %.0f lookups/s\n",
                filters.size(), with_entry, seconds,
                seconds > 0 ? static_cast<double>(filters.size()) / seconds : 0.0);
    if (failed) {
        std::fprintf(stderr, "raw_ldap_search: %zu searches failed\n", failed);
        return 1;
    }
    return 0;
}
