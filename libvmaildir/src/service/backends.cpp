// The backend registry (backends.hpp).
#include "service/backends.hpp"

#include "directory/ldif_backend.hpp"
#include "ldap/backend.hpp"
#include "replica/backend.hpp"

namespace vmaildir {

const std::vector<const Backend*>& backends() {
    static const std::vector<const Backend*> table = {
        &ldif_backend(),
        &replica::replica_backend(),
        &ldap::ldap_backend(),
    };
    return table;
}

Result<std::unique_ptr<Directory>> open_directory(const Config& config,
                                                  const BackendContext& context) {
    using Out = Result<std::unique_ptr<Directory>>;
    BackendContext with_others = context;
    with_others.open_backend = [&config, &context](std::string_view name) {
        for (const Backend* b : backends())
            if (const BackendSettings* s = config.directory.find(name); s && name == b->name)
                return b->open(*s, context);
        return Out::temp_fail("the configuration sets up no " + std::string(name) + " backend");
    };
    const BackendSettings* settings = config.directory.find(config.directory.backend);
    for (const Backend* b : backends())
        if (settings && config.directory.backend == b->name)
            return b->open(*settings, with_others);
    return Out::temp_fail(
        "the configuration sets up no directory backend" +
        (config.directory.backend.empty()
             ? std::string()
             : " (unknown backend '" + config.directory.backend + "')"));
}

} // namespace vmaildir
