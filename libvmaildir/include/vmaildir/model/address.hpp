// Mail addresses as lookup keys (SPEC §2).
//
// Every key is normalised once, here: angle brackets stripped, length limits
// of RFC 5321 §4.5.3.1 enforced (local part 64 octets, address 320), the
// domain lower-cased and the local part compared case-insensitively unless
// configured otherwise.  Characters that are special to LDAP are *not*
// rejected here (RFC 5322 allows `*` or `\` in a local part); they are escaped
// where a filter or DN is built, so a key can never widen a search.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace vmaildir {

/// How keys are compared and split; one per configuration, immutable, thread-safe to share.
struct AddressPolicy {
    /// Sub-address delimiters (Postfix recipient_delimiter); empty disables sub-addressing.
    std::string delimiters = "+";
    /// Compare local parts case-sensitively (RFC 5321 permits it; nobody expects it).
    bool case_sensitive_local_part = false;
};

/// A syntactically acceptable address: `local@domain` with both parts non-empty.
class Address {
public:
    /// The key as received, minus surrounding angle brackets; answers quote it back.
    const std::string& original() const noexcept { return original_; }
    /// The local part as received.
    const std::string& local() const noexcept { return local_; }
    /// The domain, lower-cased, without a trailing dot.
    const std::string& domain() const noexcept { return domain_; }
    /// Canonical comparison key: folded local part, `@`, domain.
    std::string key() const;
    /// The local part folded as the policy says (lower-cased unless case-sensitive).
    const std::string& folded_local() const noexcept { return folded_local_; }
    /// `local@domain` with the domain lower-cased (the form written to logs and answers).
    std::string text() const { return local_ + "@" + domain_; }

    /// The address without its sub-address (`user+tag@d` → `user@d`), or nothing when the
    /// local part carries no delimiter or the part before it would be empty.
    std::optional<Address> without_subaddress() const;
    /// The tag removed by without_subaddress(), including its delimiter ("+tag").
    std::string subaddress() const;

    friend bool operator==(const Address& a, const Address& b) { return a.key() == b.key(); }

private:
    friend std::variant<Address, std::string> parse_address(std::string_view,
                                                            const AddressPolicy&);
    Address(std::string original, std::string local, std::string domain,
            const AddressPolicy& policy);

    std::string original_;
    std::string local_;
    std::string folded_local_;
    std::string domain_;
    std::string delimiters_;
    bool case_sensitive_ = false;
};

/// Parses a recipient or sender key.  Returns the Address, or a one-line reason why the key
/// can never name a mailbox (empty, too long, no `@`, control characters, bad domain).
std::variant<Address, std::string> parse_address(std::string_view key,
                                                 const AddressPolicy& policy);

/// Normalises a bare domain key (lower-cased, trailing dot removed), or nothing when it is not a
/// syntactically valid domain name.  UTF-8 labels are kept as they are (IDN: design allows an
/// A-label mapping later).
std::optional<std::string> normalise_domain(std::string_view key);

} // namespace vmaildir
