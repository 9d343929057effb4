// Addresses as keys: whatever parses has a non-empty local part and domain within
// RFC 5321's limits, and its text parses back to the same address.
#include "vmaildir/model/address.hpp"

#include "fuzz.hpp"

using namespace vmaildir;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    for (const AddressPolicy& policy : {AddressPolicy{}, AddressPolicy{"+-", true}}) {
        auto parsed = parse_address(in, policy);
        if (auto* reason = std::get_if<std::string>(&parsed)) {
            fuzz::require(!reason->empty() && reason->find('\n') == std::string::npos,
                          "a refusal is one non-empty line");
            continue;
        }
        const Address& a = std::get<Address>(parsed);
        fuzz::require(!a.local().empty() && !a.domain().empty(), "both parts non-empty");
        fuzz::require(a.local().size() <= 64 && a.text().size() <= 320, "RFC 5321 limits");
        auto again = parse_address(a.text(), policy);
        fuzz::require(std::holds_alternative<Address>(again) && std::get<Address>(again) == a,
                      "text() parses back to the same address");
        if (auto base = a.without_subaddress())
            fuzz::require(base->domain() == a.domain() && base->local().size() < a.local().size(),
                          "without_subaddress keeps the domain and shortens the local part");
    }
    if (auto d = normalise_domain(in))
        fuzz::require(normalise_domain(*d) == d, "normalise_domain is idempotent");
    return 0;
}
