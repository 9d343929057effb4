// Parsing and normalising addresses as lookup keys (vmaildir/model/address.hpp).
#include "vmaildir/model/address.hpp"

#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

// RFC 5321 §4.5.3.1.1-3: local part 64 octets; a path 256 octets including the brackets, which
// SPEC §2 rounds to the classic 320 (64 + 1 + 255) for the address itself.
constexpr std::size_t max_local = 64;
constexpr std::size_t max_domain = 255;
constexpr std::size_t max_address = 320;

bool control_or_nul(char c) noexcept {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
}

} // namespace

Address::Address(std::string original, std::string local, std::string domain,
                 const AddressPolicy& policy)
    : original_(std::move(original)), local_(std::move(local)),
      folded_local_(policy.case_sensitive_local_part ? local_ : util::ascii_lower(local_)),
      domain_(std::move(domain)), delimiters_(policy.delimiters),
      case_sensitive_(policy.case_sensitive_local_part) {}

std::string Address::key() const { return folded_local_ + "@" + domain_; }

std::optional<Address> Address::without_subaddress() const {
    if (delimiters_.empty())
        return std::nullopt;
    std::size_t cut = local_.find_first_of(delimiters_);
    if (cut == std::string::npos || cut == 0)
        return std::nullopt;
    AddressPolicy policy{delimiters_, case_sensitive_};
    std::string base = local_.substr(0, cut);
    return Address(base + "@" + domain_, base, domain_, policy);
}

std::string Address::subaddress() const {
    if (delimiters_.empty())
        return {};
    std::size_t cut = local_.find_first_of(delimiters_);
    if (cut == std::string::npos || cut == 0)
        return {};
    return local_.substr(cut);
}

std::optional<std::string> normalise_domain(std::string_view key) {
    std::string domain = util::ascii_lower(util::trim(key));
    if (!domain.empty() && domain.back() == '.')
        domain.pop_back();
    if (domain.empty() || domain.size() > max_domain)
        return std::nullopt;
    // LDH labels (RFC 1035 §2.3.1, RFC 5890 for A-labels); UTF-8 bytes pass so that U-labels
    // survive until IDN mapping exists.  A domain literal ([192.0.2.1]) is never hosted here.
    std::size_t label = 0;
    for (std::size_t i = 0; i < domain.size(); ++i) {
        auto c = static_cast<unsigned char>(domain[i]);
        if (c == '.') {
            if (label == 0 || domain[i - 1] == '-')
                return std::nullopt;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c >= 0x80 ||
                  (c == '-' && label > 0) || c == '_';
        if (!ok || ++label > 63)
            return std::nullopt;
    }
    // Only one root dot was removed above: "example.org.." still ends in an empty label.
    if (domain.back() == '-' || domain.back() == '.')
        return std::nullopt;
    return domain;
}

std::variant<Address, std::string> parse_address(std::string_view key,
                                                 const AddressPolicy& policy) {
    std::string_view k = util::trim(key);
    if (k.size() >= 2 && k.front() == '<' && k.back() == '>')
        k = util::trim(k.substr(1, k.size() - 2)); // "< a@b >" is a@b, as "a@b" is
    if (k.empty())
        return std::string("empty address");
    if (k.front() == '<' || k.back() == '>')
        return std::string("address has unbalanced angle brackets");
    if (k.size() > max_address)
        return "address longer than " + std::to_string(max_address) + " octets";
    for (char c : k)
        if (control_or_nul(c))
            return std::string("address contains a control character or NUL");
    std::size_t at = k.rfind('@');
    if (at == std::string_view::npos)
        return std::string("address has no @domain");
    std::string_view local = k.substr(0, at);
    if (local.empty())
        return std::string("address has an empty local part");
    if (local.size() > max_local)
        return "local part longer than " + std::to_string(max_local) + " octets";
    std::string_view raw_domain = k.substr(at + 1);
    if (raw_domain.find_first_of(" \t") != std::string_view::npos)
        return std::string("address has an invalid domain");
    auto domain = normalise_domain(raw_domain);
    if (!domain)
        return std::string("address has an invalid domain");
    return Address(std::string(k), std::string(local), std::move(*domain), policy);
}

} // namespace vmaildir
