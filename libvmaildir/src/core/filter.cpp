#include "vmaildir/filter.hpp"

#include <cstdio>

#include "util/text.hpp"
#include "vmaildir/entry.hpp"

namespace vmaildir {

std::string escape_filter_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (char ch : value) {
        auto c = static_cast<unsigned char>(ch);
        if (c == '*' || c == '(' || c == ')' || c == '\\' || c < 0x20 || c >= 0x7f) {
            char buf[4];
            std::snprintf(buf, sizeof buf, "\\%02X", c);
            out += buf;
        } else {
            out += ch;
        }
    }
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
    switch (kind_) {
    case Kind::equals:
        return "(" + attribute_ + "=" + escape_filter_value(value_) + ")";
    case Kind::present:
        return "(" + attribute_ + "=*)";
    case Kind::all_of:
    case Kind::any_of: {
        // A single operand needs no wrapper; keeps generated filters readable in logs.
        if (operands_.size() == 1)
            return operands_.front().to_string();
        std::string out = kind_ == Kind::all_of ? "(&" : "(|";
        for (const Filter& f : operands_)
            out += f.to_string();
        return out + ")";
    }
    case Kind::negate:
        return "(!" + operands_.front().to_string() + ")";
    }
    return "(!(objectClass=*))"; // unreachable; a filter that matches nothing
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
