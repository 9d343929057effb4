// Command-line parsing with Boost.Program_options (command_line.hpp).
#include "vmaildir/daemon/command_line.hpp"

#include <boost/program_options.hpp>
#include <iostream>
#include <sysexits.h>

namespace po = boost::program_options;

namespace vmaildir::daemon {

namespace {

/// "config,c" → "config".
std::string long_name(const std::string& names) {
    return names.substr(0, names.find(','));
}

} // namespace

std::optional<CommandLine> CommandLine::parse(const Program& program, int argc,
                                              const char* const* argv, int& exit_status) {
    po::options_description shown;
    for (const Option& o : program.options) {
        switch (o.kind) {
        case Option::Kind::flag:
            shown.add_options()(o.names.c_str(), o.help.c_str());
            break;
        case Option::Kind::value: {
            auto* v = po::value<std::string>();
            if (o.default_value)
                v->default_value(*o.default_value);
            shown.add_options()(o.names.c_str(), v, o.help.c_str());
            break;
        }
        case Option::Kind::values:
            shown.add_options()(o.names.c_str(), po::value<std::vector<std::string>>()->composing(),
                                o.help.c_str());
            break;
        }
    }
    shown.add_options()("help,h", "show this help");
    po::options_description all;
    all.add(shown);
    all.add_options()("vmaildir-arguments", po::value<std::vector<std::string>>());
    po::positional_options_description positional;
    if (program.arguments)
        positional.add("vmaildir-arguments", -1);

    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        exit_status = usage_error(program, e.what());
        return std::nullopt;
    }
    if (vm.count("help")) {
        std::cout << program.usage << shown << program.epilogue;
        exit_status = 0;
        return std::nullopt;
    }

    CommandLine cl;
    for (const Option& o : program.options) {
        const std::string name = long_name(o.names);
        if (!vm.count(name))
            continue;
        Given g{name, {}};
        if (o.kind == Option::Kind::value)
            g.values.push_back(vm[name].as<std::string>());
        else if (o.kind == Option::Kind::values)
            g.values = vm[name].as<std::vector<std::string>>();
        (vm[name].defaulted() ? cl.defaults_ : cl.given_).push_back(std::move(g));
    }
    if (vm.count("vmaildir-arguments"))
        cl.arguments_ = vm["vmaildir-arguments"].as<std::vector<std::string>>();
    exit_status = 0;
    return cl;
}

bool CommandLine::has(std::string_view name) const {
    for (const Given& g : given_)
        if (g.name == name)
            return true;
    return false;
}

std::string CommandLine::value(std::string_view name) const {
    for (const auto* list : {&given_, &defaults_})
        for (const Given& g : *list)
            if (g.name == name && !g.values.empty())
                return g.values.front();
    return "";
}

std::vector<std::string> CommandLine::values(std::string_view name) const {
    for (const Given& g : given_)
        if (g.name == name)
            return g.values;
    return {};
}

int usage_error(const Program& program, const std::string& message) {
    std::cerr << program.name << ": " << message << "\nTry '" << program.name << " --help'.\n";
    return EX_USAGE;
}

} // namespace vmaildir::daemon
