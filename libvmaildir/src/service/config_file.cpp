// Reading vmaildir.conf with every registered backend's keys
// (vmaildir/service/config_file.hpp): the core keys, then each backend's, then
// the backend that answers.
#include "vmaildir/service/config_file.hpp"

#include "config/config_text.hpp"
#include "config/core_keys.hpp"
#include "service/backends.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmaildir {

namespace {

std::vector<KeyHelp> every_key() {
    std::vector<KeyHelp> keys = help_of(core_keys());
    for (const Backend* b : backends())
        for (const KeyHelp& k : b->keys())
            keys.push_back(k);
    return keys;
}

} // namespace

Config parse_config(std::istream& in, const std::string& source, const std::string& base_dir) {
    ConfigText text(in, source, base_dir);
    text.check_keys(every_key());
    Config config;
    config.path = source;
    read_core_settings(text, config);
    for (const Backend* b : backends())
        if (auto settings = b->parse(text, config)) {
            if (config.directory.backend.empty())
                config.directory.backend = b->name;
            config.directory.settings.emplace(b->name, std::move(settings));
        }
    // Two sources of answers: the first would win without a word about the other.
    if (config.directory.find("ldif") && config.directory.find("replica"))
        text.fail("replica", "cannot be combined with ldif_file (line " +
                                 std::to_string(text.line_of("ldif_file")) +
                                 "), which answers from a file instead");
    return config;
}

Config load_config(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw ConfigError(path, 0, "", "is a directory, not a configuration file");
    std::ifstream in(path);
    if (!in)
        throw ConfigError(path, 0, "", "cannot open the configuration file");
    std::string dir = ".";
    if (auto slash = path.rfind('/'); slash != std::string::npos)
        dir = slash == 0 ? "/" : path.substr(0, slash);
    return parse_config(in, path, dir);
}

std::vector<ConfigKeyInfo> config_keys() {
    std::vector<ConfigKeyInfo> out;
    auto add = [&out](const char* owner, const KeyHelp& k) {
        out.push_back({k.name, owner, k.default_text == nullptr,
                       k.default_text ? k.default_text : "", k.help, k.multi});
    };
    for (const KeyHelp& k : help_of(core_keys()))
        add("core", k);
    for (const Backend* b : backends())
        for (const KeyHelp& k : b->keys())
            add(b->name, k);
    return out;
}

std::string config_reference() {
    // Back to the scanner's own KeyHelp, so that config-keys keeps its one formatter
    // (write_reference); the pointers stay valid while `keys` lives.
    const std::vector<ConfigKeyInfo> keys = config_keys();
    std::vector<KeyHelp> help;
    help.reserve(keys.size());
    for (const ConfigKeyInfo& k : keys)
        help.push_back({k.name.c_str(), k.required ? nullptr : k.default_text.c_str(),
                        k.help.c_str(), k.multi});
    std::ostringstream out;
    write_reference(out, help);
    return out.str();
}

} // namespace vmaildir
