// Test directories: the example directories held in memory, and a directory
// that can be scripted to fail or hang (STYLE.md: "a scripted in-memory
// directory can return found / not found / temporary failure / hang").  Core
// only: no Service, no password schemes (fixtures.hpp adds those).
#pragma once

#include "vmaildir/config/config.hpp"
#include "vmaildir/directory/ldif.hpp"
#include "vmaildir/directory/memory_directory.hpp"

#include <atomic>
#include <memory>
#include <string>
#include <thread>

namespace vmaildir::test {

/// examples/ldif/PRESET.ldif in the source tree.
inline std::string example_ldif(const std::string& preset) {
    return std::string(VMAILDIR_SOURCE_DIR) + "/examples/ldif/" + preset + ".ldif";
}

/// A configuration for the example directory of a preset, cache off, short timeout.
inline Config example_config(const std::string& preset) {
    Config c;
    c.path = "test";
    c.schema = *preset_schema(preset);
    c.search_base = "o=hosting,dc=example,dc=com";
    c.timeout = std::chrono::milliseconds(300);
    c.cache.max_entries = 0;
    if (!c.schema.site_admin_group_rdn.empty())
        c.site_admin_group = c.schema.site_admin_group_rdn + "," + c.search_base;
    return c;
}

/// The example directory of `preset` in memory; binds are checked with `passwords` (none:
/// every bind is a temporary failure).
inline std::shared_ptr<MemoryDirectory> example_directory(const std::string& preset,
                                                          PasswordMatcher passwords = {}) {
    return std::make_shared<MemoryDirectory>(read_ldif_file(example_ldif(preset)), "ldif:" + preset,
                                             std::move(passwords));
}

/// Wraps a MemoryDirectory; each operation can be made to fail or to hang until its deadline.
class ScriptedDirectory final : public Directory {
public:
    enum class Mode { pass, temp_fail, hang };

    explicit ScriptedDirectory(std::shared_ptr<MemoryDirectory> inner) : inner_(std::move(inner)) {}

    Result<std::vector<Entry>> search(const SearchRequest& r, Deadline d) override {
        ++searches;
        if (auto fail = scripted(d))
            return Result<std::vector<Entry>>::temp_fail(*fail);
        return inner_->search(r, d);
    }
    Result<bool> check_bind(const std::string& dn, std::string_view pw, Deadline d) override {
        if (auto fail = scripted(d))
            return Result<bool>::temp_fail(*fail);
        return inner_->check_bind(dn, pw, d);
    }
    Result<std::monostate> modify_as(const Credentials& as, const std::string& dn,
                                     const std::vector<Modification>& m, Deadline d) override {
        if (auto fail = scripted(d))
            return Result<std::monostate>::temp_fail(*fail);
        return inner_->modify_as(as, dn, m, d);
    }
    std::string describe() const override { return "scripted " + inner_->describe(); }

    std::atomic<Mode> mode{Mode::pass};
    std::atomic<int> searches{0};

private:
    std::optional<std::string> scripted(Deadline d) {
        switch (mode.load()) {
        case Mode::pass:
            return std::nullopt;
        case Mode::temp_fail:
            return std::string("scripted: server down");
        case Mode::hang:
            std::this_thread::sleep_until(d.at());
            return std::string("scripted: timeout");
        }
        return std::nullopt;
    }
    std::shared_ptr<MemoryDirectory> inner_;
};

} // namespace vmaildir::test
