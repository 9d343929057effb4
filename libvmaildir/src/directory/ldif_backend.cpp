// The LDIF backend (ldif_backend.hpp): one key, `ldif_file`; the entries are read
// when the directory opens, into a MemoryDirectory.
#include "directory/ldif_backend.hpp"

#include "vmaildir/directory/ldif.hpp"
#include "vmaildir/directory/ldif_backend.hpp"

#include <fstream>

namespace vmaildir {

namespace {

struct LdifSettings final : BackendSettings {
    explicit LdifSettings(std::string p) : path(std::move(p)) {}
    std::string path;
};

std::vector<KeyHelp> keys() {
    return {{"ldif_file", "",
             "answer from this LDIF file held in memory instead of LDAP (tests, offline checks)",
             false}};
}

std::shared_ptr<const BackendSettings> parse(const ConfigText& text, const Config&) {
    const ConfigText::Setting* file = text.find("ldif_file");
    if (!file || file->value.empty())
        return nullptr;
    std::string path = text.path(file->value);
    if (!std::ifstream(path))
        text.fail("ldif_file", "cannot read '" + path + "'");
    return std::make_shared<const LdifSettings>(std::move(path));
}

Result<std::unique_ptr<Directory>> open(const BackendSettings& settings,
                                        const BackendContext& context) {
    using Out = Result<std::unique_ptr<Directory>>;
    const auto& path = static_cast<const LdifSettings&>(settings).path;
    try {
        return Out::found(std::make_unique<MemoryDirectory>(read_ldif_file(path), "ldif:" + path,
                                                            context.passwords));
    } catch (const LdifError& e) {
        return Out::temp_fail(e.what());
    }
}

} // namespace

const Backend& ldif_backend() {
    static const Backend backend{"ldif", keys, parse, open};
    return backend;
}

const std::string* ldif_path(const Config& config) {
    if (config.directory.backend != "ldif")
        return nullptr;
    auto* s = dynamic_cast<const LdifSettings*>(config.directory.find("ldif"));
    return s ? &s->path : nullptr;
}

void use_ldif_file(Config& config, std::string path) {
    config.directory.backend = "ldif";
    config.directory.settings["ldif"] = std::make_shared<const LdifSettings>(std::move(path));
}

} // namespace vmaildir
