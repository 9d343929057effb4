// LDIF content records (RFC 2849), read strictly enough that a file we accept is one
// ldapadd accepts too: `vmaildir --ldif FILE` is how an operator checks a directory before
// loading it, so leniency here would only move the error to the load.
//
// What is read (RFC 2849 "Formal Syntax Definition of LDIF"):
//
//   ldif-content  = [version-spec 1*SEP] record *(1*SEP record)
//   version-spec  = "version:" FILL "1"
//   record        = "dn:" FILL dn / "dn::" FILL base64-dn, SEP
//                   ["changetype:" FILL "add" SEP]
//                   1*(AttributeDescription (":" FILL value / "::" FILL base64) SEP)
//
// - A physical line that starts with one SPACE continues the previous line; that space is
//   dropped.  A line holding only blanks is therefore a continuation, not a record
//   separator — only an empty line separates records, as in OpenLDAP's ldif_read_record().
// - A line that starts with '#' is a comment, wherever it is; its continuation lines belong to
//   it.
// - CR LF line ends are accepted.  Values are bytes: after base64 they may hold NUL or UTF-8.
// - FILL is spaces; like OpenLDAP's ldif_parse_line2() we also allow spaces before the colon.
//
// Refused, each with the source and the 1-based number of the offending line: change records
// (any changetype but add, and "control:"), `attr:< URL` values (a fixture must not read other
// files), records without a dn, a dn that does not parse, the same dn twice (ldapadd would
// answer "Already exists"), entries without attributes, lines without a colon and bad base64.
// Not checked: schema (attribute names are only checked for legal characters), duplicate
// values, and that the RDN's value is present in the entry — slapd checks those on load.
#include "vmaildir/directory/ldif.hpp"

#include "vmaildir/util/base64.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <map>
#include <string_view>

namespace vmaildir {

LdifError::LdifError(const std::string& source, std::size_t line, const std::string& problem)
    : std::runtime_error(source + ":" + std::to_string(line) + ": " + problem), line_(line) {}

namespace {

// A line after unfolding, numbered by its first physical line.
struct Line {
    std::string text;
    std::size_t number;
};

using Record = std::vector<Line>; // comments removed

struct Field {
    std::string name;
    std::string value;
};

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '.' || c == ';';
}

class Parser {
public:
    Parser(std::istream& in, const std::string& source) : in_(in), source_(source) {}

    std::vector<Entry> run() {
        std::vector<Entry> entries;
        std::map<std::string, std::size_t> seen; // normalised dn -> line of its record
        bool first = true;
        for (const Record& record : read_records()) {
            std::size_t next = 0;
            if (first && is_version(record.front()))
                next = 1;
            first = false;
            if (next == record.size())
                continue; // the version line on its own
            std::size_t dn_line = record[next].number;
            Entry entry = parse_record(record, next);
            auto [it, fresh] = seen.emplace(util::normalise_dn(entry.dn()), dn_line);
            if (!fresh)
                fail(dn_line, "duplicate dn \"" + util::printable(entry.dn()) +
                                  "\" (first at line " + std::to_string(it->second) + ")");
            entries.push_back(std::move(entry));
        }
        return entries;
    }

private:
    [[noreturn]] void fail(std::size_t line, const std::string& problem) const {
        throw LdifError(source_, line, problem);
    }

    // Splits the input into records of unfolded, comment-free lines.
    std::vector<Record> read_records() {
        std::vector<Record> records;
        Record current;
        Line pending; // the logical line being assembled
        bool have_pending = false;
        bool pending_is_comment = false;
        auto finish_line = [&] {
            if (have_pending && !pending_is_comment)
                current.push_back(std::move(pending));
            have_pending = false;
        };
        auto finish_record = [&] {
            finish_line();
            if (!current.empty())
                records.push_back(std::move(current));
            current.clear();
        };

        std::string raw;
        std::size_t number = 0;
        while (std::getline(in_, raw)) {
            ++number;
            if (!raw.empty() && raw.back() == '\r')
                raw.pop_back();
            if (raw.empty()) {
                finish_record();
            } else if (raw.front() == ' ') {
                if (!have_pending)
                    fail(number, "continuation line (starts with a space) follows no line");
                pending.text.append(raw, 1, std::string::npos);
            } else {
                finish_line();
                pending = Line{raw, number};
                have_pending = true;
                pending_is_comment = raw.front() == '#';
            }
        }
        if (in_.bad())
            fail(number, "read error");
        finish_record();
        return records;
    }

    Field split(const Line& line) const {
        std::string_view text = line.text;
        std::size_t colon = text.find(':');
        if (colon == std::string_view::npos)
            fail(line.number, "expected \"attribute: value\", found no colon in \"" +
                                  util::printable(text, 60) + "\"");
        std::string_view name = text.substr(0, colon);
        while (!name.empty() && name.back() == ' ')
            name.remove_suffix(1);
        bool valid = !name.empty() && name.front() != '-' && name.front() != ';';
        for (char c : name)
            valid = valid && is_name_char(c);
        if (!valid)
            fail(line.number,
                 "invalid attribute description \"" + util::printable(name, 60) + "\"");

        std::string_view rest = text.substr(colon + 1);
        bool base64 = false;
        if (!rest.empty() && rest.front() == '<')
            fail(line.number, "URL values (\"" + std::string(name) + ":<\") are not supported");
        if (!rest.empty() && rest.front() == ':') {
            base64 = true;
            rest.remove_prefix(1);
        }
        while (!rest.empty() && rest.front() == ' ')
            rest.remove_prefix(1);
        if (!base64)
            return {std::string(name), std::string(rest)};
        auto decoded = util::base64_decode(rest);
        if (!decoded)
            fail(line.number, "invalid base64 value for \"" + std::string(name) + "\"");
        return {std::string(name), std::move(*decoded)};
    }

    bool is_version(const Line& line) const {
        Field field = split(line);
        if (!util::iequals(field.name, "version"))
            return false;
        if (field.value != "1")
            fail(line.number,
                 "unsupported LDIF version \"" + util::printable(field.value, 20) + "\"");
        return true;
    }

    Entry parse_record(const Record& record, std::size_t next) const {
        const Line& first = record[next];
        Field dn = split(first);
        if (!util::iequals(dn.name, "dn"))
            fail(first.number, "record does not start with \"dn:\"");
        if (dn.value.empty())
            fail(first.number, "empty dn");
        if (!util::parse_dn(dn.value))
            fail(first.number, "malformed dn \"" + util::printable(dn.value) + "\"");
        Entry entry(std::move(dn.value));
        ++next;

        if (next < record.size()) {
            Field field = split(record[next]);
            if (util::iequals(field.name, "control"))
                fail(record[next].number, "change records are not supported (control:)");
            if (util::iequals(field.name, "changetype")) {
                if (!util::iequals(field.value, "add"))
                    fail(record[next].number, "change records are not supported (changetype: " +
                                                  util::printable(field.value, 20) + ")");
                ++next;
            }
        }

        for (; next < record.size(); ++next) {
            const Line& line = record[next];
            Field field = split(line);
            if (util::iequals(field.name, "dn"))
                fail(line.number, "a second \"dn:\" in one record: records are separated by an "
                                  "empty line (a line of blanks continues the previous line)");
            if (util::iequals(field.name, "changetype"))
                fail(line.number, "\"changetype:\" must directly follow the dn");
            entry.add(field.name, std::move(field.value));
        }
        if (entry.attributes().empty())
            fail(first.number, "entry \"" + util::printable(entry.dn()) + "\" has no attributes");
        return entry;
    }

    std::istream& in_;
    const std::string& source_;
};

} // namespace

std::vector<Entry> parse_ldif(std::istream& in, const std::string& source) {
    return Parser(in, source).run();
}

std::vector<Entry> read_ldif_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw LdifError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    return parse_ldif(in, path);
}

} // namespace vmaildir
