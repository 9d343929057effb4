// Keys that reach LDAP: an escaped filter value holds none of RFC 4515's special
// bytes bare and unescapes to the key, so "(attr=" + it + ")" is one equality
// assertion; a DN value escaped and made into an RDN parses back to the key.
#include "fuzz.hpp"
#include "vmaildir/directory/filter.hpp"
#include "vmaildir/util/dn.hpp"
#include "vmaildir/util/text.hpp"

#include <string>

using namespace vmaildir;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view key = fuzz::text(data, size);

    std::string escaped = escape_filter_value(key);
    std::string back;
    for (std::size_t i = 0; i < escaped.size(); ++i) {
        char c = escaped[i];
        fuzz::require(c != '*' && c != '(' && c != ')' && c != '\0' &&
                          static_cast<unsigned char>(c) < 0x80,
                      "no bare special or non-ASCII byte in an escaped value");
        if (c == '\\') {
            fuzz::require(i + 2 < escaped.size() && util::hex_value(escaped[i + 1]) >= 0 &&
                              util::hex_value(escaped[i + 2]) >= 0,
                          "an escape is \\XX");
            back += static_cast<char>(util::hex_value(escaped[i + 1]) * 16 +
                                      util::hex_value(escaped[i + 2]));
            i += 2;
        } else {
            back += c;
        }
    }
    fuzz::require(back == key, "an escaped value unescapes to the key");
    fuzz::require(Filter::equals("mail", std::string(key)).to_string() == "(mail=" + escaped + ")",
                  "an equality filter is (attr=escaped)");

    std::string value = util::escape_dn_value(key);
    if (!key.empty()) {
        auto rdns = util::parse_dn("mail=" + value + ",o=hosting");
        fuzz::require(rdns && rdns->size() == 2 && rdns->front().size() == 1 &&
                          rdns->front().front().value == key,
                      "an escaped DN value is one AVA holding the key");
    }
    // Whatever parses as a DN normalises, and normalising is idempotent.
    if (auto n = util::try_normalise_dn(key))
        fuzz::require(util::try_normalise_dn(*n) == n, "normalise_dn is idempotent");
    return 0;
}
