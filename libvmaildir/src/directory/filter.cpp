// Search filters: RFC 4515 text with every value escaped, and evaluation against an entry
// (vmaildir/directory/filter.hpp).
#include "vmaildir/directory/filter.hpp"

#include "vmaildir/util/text.hpp"
#include "vmaildir/directory/entry.hpp"

namespace vmaildir {

namespace {

void append_escaped(std::string& out, std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (char ch : value) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7f) {
            out += '\\';
            out += hex[c >> 4];
            out += hex[c & 0xf];
        } else {
            out += ch;
        }
    }
}

} // namespace

std::string escape_filter_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    append_escaped(out, value);
    return out;
}

Filter Filter::equals(std::string attribute, std::string value) {
    Filter f(Kind::equals);
    f.attribute_ = std::move(attribute);
    f.value_ = std::move(value);
    return f;
}

Filter Filter::present(std::string attribute) {
    Filter f(Kind::present);
    f.attribute_ = std::move(attribute);
    return f;
}

Filter Filter::all_of(std::vector<Filter> operands) {
    Filter f(Kind::all_of);
    f.operands_ = std::move(operands);
    return f;
}

Filter Filter::any_of(std::vector<Filter> operands) {
    Filter f(Kind::any_of);
    f.operands_ = std::move(operands);
    return f;
}

Filter Filter::negate(Filter operand) {
    Filter f(Kind::negate);
    f.operands_.push_back(std::move(operand));
    return f;
}

std::string Filter::to_string() const {
    std::string out;
    out.reserve(256);
    append_to(out);
    return out;
}

void Filter::append_to(std::string& out) const {
    switch (kind_) {
    case Kind::equals:
        out += '(';
        out += attribute_;
        out += '=';
        append_escaped(out, value_);
        out += ')';
        return;
    case Kind::present:
        out += '(';
        out += attribute_;
        out += "=*)";
        return;
    case Kind::all_of:
    case Kind::any_of:
        // A single operand needs no wrapper; keeps generated filters readable in logs.
        if (operands_.size() == 1) {
            operands_.front().append_to(out);
            return;
        }
        out += kind_ == Kind::all_of ? "(&" : "(|";
        for (const Filter& f : operands_)
            f.append_to(out);
        out += ')';
        return;
    case Kind::negate:
        out += "(!";
        operands_.front().append_to(out);
        out += ')';
        return;
    }
}

bool Filter::matches(const Entry& entry) const {
    switch (kind_) {
    case Kind::equals:
        return entry.has_value(attribute_, value_);
    case Kind::present:
        return entry.has(attribute_);
    case Kind::all_of:
        for (const Filter& f : operands_)
            if (!f.matches(entry))
                return false;
        return true;
    case Kind::any_of:
        for (const Filter& f : operands_)
            if (f.matches(entry))
                return true;
        return false;
    case Kind::negate:
        return !operands_.front().matches(entry);
    }
    return false;
}

} // namespace vmaildir
