// The Service over a scripted example directory, for the library's unit tests.
#pragma once

#include <memory>
#include <string>

#include "support/scripted_directory.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/service/service.hpp"

namespace vmaildir::test {

/// A service over the example directory of `preset`, with the scripted directory exposed.
struct Fixture {
    explicit Fixture(const std::string& preset, Config config_ = {})
        : config(config_.search_base.empty() ? example_config(preset) : std::move(config_)),
          memory(example_directory(preset, password_matches)),
          log(make_null_logger()) {
        auto scripted_dir = std::make_unique<ScriptedDirectory>(memory);
        scripted = scripted_dir.get();
        service = Service::open(config, std::move(scripted_dir), *log);
    }
    Config config;
    std::shared_ptr<MemoryDirectory> memory;
    std::unique_ptr<Logger> log;
    ScriptedDirectory* scripted = nullptr;
    std::unique_ptr<Service> service;
};

} // namespace vmaildir::test
