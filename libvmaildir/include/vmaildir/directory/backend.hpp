// Which directory backend answers, and the settings each backend read from the
// configuration.  The settings are opaque: only the backend that parsed them
// reads them, so secrets such as an LDAP bind password never leave it.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace vmaildir {

/// The keys one backend owns, as it parsed and validated them.  Each backend derives its own
/// type in its own folder (ldap/settings.hpp, directory/ldif_backend.cpp); nobody else can see
/// inside.
class BackendSettings {
public:
    virtual ~BackendSettings() = default;
};

/// The backend chosen for lookups, and the parsed settings of every backend the configuration
/// sets up (a replica, for one, also needs the LDAP settings of the server it copies).
struct DirectoryChoice {
    std::string backend; ///< the registry name of the backend that answers: "ldap", "ldif"
    std::map<std::string, std::shared_ptr<const BackendSettings>, std::less<>> settings;

    /// The settings of the named backend, or nullptr when it has none.
    const BackendSettings* find(std::string_view name) const {
        auto it = settings.find(name);
        return it == settings.end() ? nullptr : it->second.get();
    }
};

} // namespace vmaildir
