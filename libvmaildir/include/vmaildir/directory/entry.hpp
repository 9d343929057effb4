// A directory entry as any backend returns it: a DN and its attributes.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vmaildir {

/// One entry.  Attribute names compare case-insensitively (RFC 4512 §2.5); values keep their
/// order and case.  A value type: copy freely, share read-only between threads.
class Entry {
public:
    struct Attribute {
        std::string name; ///< as first added
        std::vector<std::string> values;
    };

    Entry() = default;
    explicit Entry(std::string dn) : dn_(std::move(dn)) {}

    const std::string& dn() const noexcept { return dn_; }
    void set_dn(std::string dn) { dn_ = std::move(dn); }

    /// All values of an attribute (empty when absent).
    const std::vector<std::string>& values(std::string_view name) const;
    /// True when the attribute has at least one value.
    bool has(std::string_view name) const { return !values(name).empty(); }
    /// True when `name` has a value equal to `value` ignoring ASCII case.
    bool has_value(std::string_view name, std::string_view value) const;

    void add(std::string_view name, std::string value);
    /// Replaces every value of `name` (removing it when `values` is empty).
    void replace(std::string_view name, std::vector<std::string> values);

    const std::vector<Attribute>& attributes() const noexcept { return attributes_; }

    /// The entry with only the attributes a search asks for (`requested` empty or holding "*":
    /// all of them), as a server returns it: "cn" selects "cn;lang-en" too (RFC 4512 §2.5).
    Entry selected(const std::vector<std::string>& requested) const;

private:
    std::string dn_;
    std::vector<Attribute> attributes_;
};

} // namespace vmaildir
