// parse_ldif / read_ldif_file: every accepted form of RFC 2849 content records, and every
// refusal with the line it names.
#include "vmaildir/directory/ldif.hpp"

#include <cstdio>
#include <doctest/doctest.h>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

using vmaildir::Entry;
using vmaildir::LdifError;

namespace {

std::vector<Entry> parse(const std::string& text) {
    std::istringstream in(text);
    return vmaildir::parse_ldif(in, "test.ldif");
}

// Bytes outside printable ASCII as \xHH, so expectations can state NUL and UTF-8 exactly.
std::string visible(const std::string& s) {
    std::string out;
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        if (c < 0x20 || c >= 0x7f || c == '\\') {
            char buf[5];
            std::snprintf(buf, sizeof buf, "\\x%02X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out;
}

// "[dn] name=v1|v2 name=v ..." per entry, entries separated by "; ".
std::string render(const std::vector<Entry>& entries) {
    std::string out;
    for (const Entry& entry : entries) {
        if (!out.empty())
            out += "; ";
        out += "[" + visible(entry.dn()) + "]";
        for (const Entry::Attribute& attribute : entry.attributes()) {
            out += " " + attribute.name + "=";
            for (std::size_t i = 0; i < attribute.values.size(); ++i)
                out += (i ? "|" : "") + visible(attribute.values[i]);
        }
    }
    return out;
}

std::filesystem::path scratch_file(const std::string& name) {
    return std::filesystem::temp_directory_path() /
           ("vmaildir-ldif-test-" + std::to_string(::getpid()) + "-" + name);
}

} // namespace

TEST_CASE("parse_ldif reads content records") {
    struct Row {
        const char* name;
        std::string ldif;
        std::string expected;
    };
    const Row rows[] = {
        {"one record", "dn: cn=a,dc=example\nobjectClass: top\ncn: a\n",
         "[cn=a,dc=example] objectClass=top cn=a"},
        {"no final newline", "dn: cn=a,dc=example\ncn: a", "[cn=a,dc=example] cn=a"},
        {"empty input", "", ""},
        {"only comments and blank lines", "# nothing\n\n# here\n\n", ""},
        {"several records, extra blank lines",
         "\n\ndn: cn=a,dc=example\ncn: a\n\n\n\ndn: cn=b,dc=example\ncn: b\n\n",
         "[cn=a,dc=example] cn=a; [cn=b,dc=example] cn=b"},
        {"spaces after commas in the dn are kept as written",
         "dn: cn=Manager, dc=myhosting, dc=example\ncn: Manager\n",
         "[cn=Manager, dc=myhosting, dc=example] cn=Manager"},
        {"folded dn (seed document layout)",
         "dn: mail=abuse@domain1.example, o=domain1.example, o=hosting, dc=myhosting,\n"
         " dc=example\nmail: abuse@domain1.example\n",
         "[mail=abuse@domain1.example, o=domain1.example, o=hosting, dc=myhosting,dc=example] "
         "mail=abuse@domain1.example"},
        {"folding drops exactly one space", "dn: cn=a,dc=x\ndescription: long\n  value\n",
         "[cn=a,dc=x] description=long value"},
        {"folding inside a word, several continuations", "dn: cn=a,dc=x\ncn: ab\n cd\n ef\n",
         "[cn=a,dc=x] cn=abcdef"},
        {"base64 value", "dn: cn=a,dc=x\ncn:: Zm9v\n", "[cn=a,dc=x] cn=foo"},
        {"base64 value holding NUL", "dn: cn=a,dc=x\ndescription:: YQBi\n",
         "[cn=a,dc=x] description=a\\x00b"},
        {"base64 value holding UTF-8", "dn: cn=a,dc=x\ncn:: w6nDqQ==\n",
         "[cn=a,dc=x] cn=\\xC3\\xA9\\xC3\\xA9"},
        {"base64 folded", "dn: cn=a,dc=x\ncn:: YW\n Jj\n", "[cn=a,dc=x] cn=abc"},
        {"base64 empty", "dn: cn=a,dc=x\ndescription::\n", "[cn=a,dc=x] description="},
        {"base64 dn", "dn:: Y249YSxkYz1leGFtcGxl\ncn: a\n", "[cn=a,dc=example] cn=a"},
        {"comments anywhere, folded comment",
         "# header\n# folded\n comment: not an attribute\ndn: cn=a,dc=x\n# inside\ncn: a\n"
         "#last\n",
         "[cn=a,dc=x] cn=a"},
        {"CRLF line ends", "dn: cn=a,dc=x\r\ncn: a\r\n\r\ndn: cn=b,dc=x\r\ncn: b\r\n continued\r\n",
         "[cn=a,dc=x] cn=a; [cn=b,dc=x] cn=bcontinued"},
        {"version line on its own", "version: 1\n\ndn: cn=a,dc=x\ncn: a\n", "[cn=a,dc=x] cn=a"},
        {"version line directly before the dn", "version: 1\ndn: cn=a,dc=x\ncn: a\n",
         "[cn=a,dc=x] cn=a"},
        {"version after a comment", "# v\nversion: 1\n\ndn: cn=a,dc=x\ncn: a\n",
         "[cn=a,dc=x] cn=a"},
        {"changetype add is accepted", "dn: cn=a,dc=x\nchangetype: add\ncn: a\n",
         "[cn=a,dc=x] cn=a"},
        {"attribute options keep the full name", "dn: cn=a,dc=x\ncn: a\ncn;lang-en: b\n",
         "[cn=a,dc=x] cn=a cn;lang-en=b"},
        {"attribute names merge case-insensitively, values keep order",
         "dn: cn=a,dc=x\nobjectClass: top\ncn: a\nobjectclass: person\n",
         "[cn=a,dc=x] objectClass=top|person cn=a"},
        {"leading spaces stripped, trailing kept, colons in value",
         "dn: cn=a,dc=x\nmail:    a@b \nlabeledURI: http://x:80/\n",
         "[cn=a,dc=x] mail=a@b  labeledURI=http://x:80/"},
        {"values that only look special after a space", "dn: cn=a,dc=x\ncn: :x\ncn: <y\n",
         "[cn=a,dc=x] cn=:x|<y"},
        {"empty value", "dn: cn=a,dc=x\ndescription:\n", "[cn=a,dc=x] description="},
        {"space before the colon (as OpenLDAP accepts)", "dn: cn=a,dc=x\ncn : a\n",
         "[cn=a,dc=x] cn=a"},
        {"numeric OID attribute", "dn: cn=a,dc=x\n2.5.4.3: a\n", "[cn=a,dc=x] 2.5.4.3=a"},
        {"hostile values are data", "dn: cn=a,dc=x\nmail: *\nmail: *)(uid=*\n",
         "[cn=a,dc=x] mail=*|*)(uid=*"},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            CHECK(render(parse(row.ldif)) == row.expected);
        }
    }
}

TEST_CASE("parse_ldif refuses malformed input, naming the line") {
    struct Row {
        const char* name;
        std::string ldif;
        std::size_t line;
        std::string problem; // a part of what()
    };
    const Row rows[] = {
        {"line without colon", "dn: cn=a,dc=x\ncn a\n", 2, "no colon"},
        {"record without dn", "cn: a\n", 1, "does not start with \"dn:\""},
        {"later record without dn", "dn: cn=a,dc=x\ncn: a\n\ncn: b\n", 4,
         "does not start with \"dn:\""},
        {"bad base64 character", "dn: cn=a,dc=x\ncn:: Zm9v!!!!\n", 2, "invalid base64"},
        {"bad base64 length", "dn: cn=a,dc=x\ncn:: Zm9\n", 2, "invalid base64"},
        {"bad base64 on a folded line names its first line", "dn: cn=a,dc=x\ncn:: Zm\n 9\n", 2,
         "invalid base64"},
        {"bad base64 dn", "dn:: %%%%\ncn: a\n", 1, "invalid base64"},
        {"URL value", "dn: cn=a,dc=x\ncn: a\njpegPhoto:< file:///etc/passwd\n", 3,
         "URL values (\"jpegPhoto:<\") are not supported"},
        {"changetype modify", "dn: cn=a,dc=x\nchangetype: modify\nadd: cn\ncn: b\n", 2,
         "change records are not supported"},
        {"changetype delete", "dn: cn=a,dc=x\nchangetype: delete\n", 2,
         "change records are not supported"},
        {"changetype modrdn", "dn: cn=a,dc=x\nchangetype: modrdn\nnewrdn: cn=b\n", 2,
         "change records are not supported"},
        {"control line", "dn: cn=a,dc=x\ncontrol: 1.2.840.113556.1.4.805 true\n", 2,
         "change records are not supported"},
        {"changetype not right after the dn", "dn: cn=a,dc=x\ncn: a\nchangetype: add\n", 3,
         "must directly follow the dn"},
        {"unsupported version", "version: 2\n\ndn: cn=a,dc=x\ncn: a\n", 1,
         "unsupported LDIF version"},
        {"version line in a later record", "dn: cn=a,dc=x\ncn: a\n\nversion: 1\n", 4,
         "does not start with \"dn:\""},
        {"empty dn", "dn:\ncn: a\n", 1, "empty dn"},
        {"malformed dn", "dn: not a dn\ncn: a\n", 1, "malformed dn"},
        {"record separated by a line of blanks", "dn: cn=a,dc=x\ncn: a\n \ndn: cn=b,dc=x\ncn: b\n",
         4, "a second \"dn:\""},
        {"duplicate dn, spelled differently", "dn: cn=A, dc=x\ncn: a\n\ndn: cn=a,dc=X\ncn: a\n", 4,
         "first at line 1"},
        {"entry without attributes", "dn: cn=a,dc=x\n\ndn: cn=b,dc=x\ncn: b\n", 1,
         "has no attributes"},
        {"continuation as the first line", " cn: a\n", 1, "follows no line"},
        {"continuation after an empty line", "dn: cn=a,dc=x\ncn: a\n\n cn: b\n", 4,
         "follows no line"},
        {"attribute name with a space", "dn: cn=a,dc=x\nc n: a\n", 2,
         "invalid attribute description"},
        {"empty attribute name", "dn: cn=a,dc=x\n: a\n", 2, "invalid attribute description"},
        {"attribute name starting with an option", "dn: cn=a,dc=x\n;lang-en: a\n", 2,
         "invalid attribute description"},
        {"modify separator in an add record", "dn: cn=a,dc=x\ncn: a\n-\n", 3, "no colon"},
        {"line numbers count comments and CRLF lines", "# c\r\n# d\r\ndn: cn=a,dc=x\r\ncn a\r\n", 4,
         "no colon"},
        {"line numbers count continuation lines", "dn: cn=a,\n dc=x\ncn: a\n b\nbad\n", 5,
         "no colon"},
    };
    for (const Row& row : rows) {
        SUBCASE(row.name) {
            try {
                (void)parse(row.ldif);
                FAIL("no LdifError for: " << row.ldif);
            } catch (const LdifError& e) {
                CHECK(e.line() == row.line);
                std::string what = e.what();
                CHECK(what.rfind("test.ldif:" + std::to_string(row.line) + ": ", 0) == 0);
                CHECK_MESSAGE(what.find(row.problem) != std::string::npos, what);
            }
        }
    }
}

TEST_CASE("read_ldif_file") {
    SUBCASE("a missing file is an LdifError naming the path") {
        std::string path = scratch_file("missing").string();
        std::filesystem::remove(path);
        try {
            (void)vmaildir::read_ldif_file(path);
            FAIL("no LdifError");
        } catch (const LdifError& e) {
            CHECK(e.line() == 0);
            std::string what = e.what();
            CHECK(what.rfind(path + ":0: cannot open", 0) == 0);
        }
    }
    SUBCASE("a file is read, and its errors name the file") {
        std::string path = scratch_file("fixture.ldif").string();
        {
            std::ofstream out(path, std::ios::binary);
            out << "version: 1\n\ndn: cn=a,dc=x\ncn:: YQBi\n\ndn: cn=b,dc=x\ncn: b\n";
        }
        auto entries = vmaildir::read_ldif_file(path);
        CHECK(render(entries) == "[cn=a,dc=x] cn=a\\x00b; [cn=b,dc=x] cn=b");
        {
            std::ofstream out(path, std::ios::binary | std::ios::trunc);
            out << "dn: cn=a,dc=x\ncn: a\nbroken\n";
        }
        try {
            (void)vmaildir::read_ldif_file(path);
            FAIL("no LdifError");
        } catch (const LdifError& e) {
            CHECK(e.line() == 3);
            CHECK(std::string(e.what()).rfind(path + ":3: ", 0) == 0);
        }
        std::filesystem::remove(path);
    }
}
