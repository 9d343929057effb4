// The backend registry (backends.hpp).
#include "service/backends.hpp"

#include "directory/ldif_backend.hpp"
#include "ldap/backend.hpp"

namespace vmaildir {

const std::vector<const Backend*>& backends() {
    static const std::vector<const Backend*> table = {
        &ldif_backend(),
        &ldap::ldap_backend(),
    };
    return table;
}

Result<std::unique_ptr<Directory>> open_directory(const Config& config,
                                                  const BackendContext& context) {
    const BackendSettings* settings = config.directory.find(config.directory.backend);
    for (const Backend* b : backends())
        if (settings && config.directory.backend == b->name)
            return b->open(*settings, context);
    return Result<std::unique_ptr<Directory>>::temp_fail(
        "the configuration sets up no directory backend" +
        (config.directory.backend.empty()
             ? std::string()
             : " (unknown backend '" + config.directory.backend + "')"));
}

} // namespace vmaildir
