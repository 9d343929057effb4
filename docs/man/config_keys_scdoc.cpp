// Prints the KEYS section of vmaildir.conf(5) in scdoc from config_keys(), the table
// `vmaildir config-keys` prints, so that the manual cannot drift from the code
// (docs/man/CMakeLists.txt puts it into vmaildir.conf.5.scd.in).
//
//   config_keys_scdoc [FILE]     writes to FILE, or to standard output
#include "vmaildir/service/config_file.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <string_view>

namespace {

// scdoc formats *bold* and _underline_ and treats \ as an escape, so each of them is
// escaped in text that comes from the key table.
std::string escaped(std::string_view text) {
    std::string out;
    for (char c : text) {
        if (c == '*' || c == '_' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

// The table's help is a phrase that may start with a name ("bind: ...", "uid ...",
// "objectClass ..."), so it keeps its case; it only gets its full stop.
std::string sentence(std::string_view help) {
    std::string s = escaped(help);
    if (!s.empty() && s.back() != '.')
        s += '.';
    return s;
}

// One heading per owner, in the table's order (core first, then each backend).
const char* heading(std::string_view owner) {
    if (owner == "core")
        return "General keys";
    if (owner == "ldap")
        return "The LDAP backend";
    if (owner == "replica")
        return "The replica backend";
    if (owner == "ldif")
        return "The LDIF backend";
    return nullptr;
}

void write_keys(std::ostream& out) {
    std::string owner;
    for (const vmaildir::ConfigKeyInfo& k : vmaildir::config_keys()) {
        if (k.owner != owner) {
            owner = k.owner;
            const char* h = heading(owner);
            out << "## " << (h ? h : escaped("Keys of the " + owner + " backend")) << "\n\n";
        }
        out << "*" << escaped(k.name) << "* = ";
        if (k.required)
            out << "(required)";
        else if (k.default_text == "(preset)")
            out << "(the schema preset's)";
        else if (k.default_text.empty())
            out << "(empty)";
        else
            out << "_" << escaped(k.default_text) << "_";
        if (k.multi)
            out << " (repeatable)";
        out << "\n\t" << sentence(k.help) << "\n\n";
    }
}

} // namespace

int main(int argc, char** argv) {
    if (argc > 2) {
        std::cerr << "usage: config_keys_scdoc [FILE]\n";
        return 64;
    }
    if (argc == 2) {
        std::ofstream file(argv[1]);
        write_keys(file);
        file.close();
        if (!file) {
            std::perror(argv[1]);
            return 73;
        }
        return 0;
    }
    write_keys(std::cout);
    std::cout.flush();
    return std::cout ? 0 : 74;
}
