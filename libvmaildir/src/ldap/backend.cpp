// The LDAP backend's registry entry: its keys (settings.cpp) and its directory
// (ldap_directory.cpp).  Always set up: with no LDAP keys at all it is
// ldap://localhost/, anonymously, as Postfix's ldap_table(5) defaults.
#include "ldap/backend.hpp"

#include "ldap/ldap_directory.hpp"
#include "ldap/settings.hpp"

namespace vmaildir::ldap {

namespace {

std::shared_ptr<const BackendSettings> parse(const ConfigText& text, const Config& core) {
    return parse_ldap_settings(text, core);
}

Result<std::unique_ptr<Directory>> open(const BackendSettings& settings,
                                        const BackendContext& context) {
    return Result<std::unique_ptr<Directory>>::found(
        make_ldap_directory(static_cast<const LdapSettings&>(settings), context.log));
}

} // namespace

const Backend& ldap_backend() {
    static const Backend backend{"ldap", ldap_key_help, parse, open};
    return backend;
}

} // namespace vmaildir::ldap
