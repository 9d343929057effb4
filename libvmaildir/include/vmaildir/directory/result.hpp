// The three-way outcome every vmaildir lookup ends in (SPEC §3 "Outcomes").
//
// A lookup is *found* (with a value), *not found* (a completed search saw no
// live entry) or a *temporary failure* (anything else: the directory is down,
// slow, ambiguous, misconfigured or returned something malformed).  Hosts map
// the three onto their own replies; only not_found may ever become a bounce,
// so it is the one outcome that must be earned: a default-constructed Result
// is a temporary failure.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace vmaildir {

enum class Outcome {
    temp_fail, ///< try again later; never a bounce
    not_found, ///< a completed search found nothing live
    found,     ///< the value is present
};

/// Printable name of an outcome ("found", "not found", "temporary failure").
const char* to_string(Outcome outcome) noexcept;

template <class T> class [[nodiscard]] Result {
public:
    /// A temporary failure: an unset result must never read as "not found".
    Result() : outcome_(Outcome::temp_fail), reason_("no result was produced") {}

    static Result found(T value) { return Result(Outcome::found, std::move(value), {}); }
    static Result not_found(std::string reason) {
        return Result(Outcome::not_found, std::nullopt, std::move(reason));
    }
    static Result temp_fail(std::string reason) {
        return Result(Outcome::temp_fail, std::nullopt, std::move(reason));
    }
    /// Carries a not-found or temporary failure of another result type over to this one.
    template <class U> static Result failure_of(const Result<U>& other) {
        if (other.is_found())
            throw std::logic_error("Result::failure_of called on a found result");
        return Result(other.outcome(), std::nullopt, other.reason());
    }

    Outcome outcome() const noexcept { return outcome_; }
    bool is_found() const noexcept { return outcome_ == Outcome::found; }
    bool is_not_found() const noexcept { return outcome_ == Outcome::not_found; }
    bool is_temp_fail() const noexcept { return outcome_ == Outcome::temp_fail; }

    /// The value of a found result; asking a failed result for its value is a bug.
    const T& value() const& {
        if (!value_)
            throw std::logic_error("value() of a result that is not found: " + reason_);
        return *value_;
    }
    T&& value() && {
        if (!value_)
            throw std::logic_error("value() of a result that is not found: " + reason_);
        return std::move(*value_);
    }
    /// Why the lookup did not find anything (empty for found results).
    const std::string& reason() const noexcept { return reason_; }

private:
    Result(Outcome outcome, std::optional<T> value, std::string reason)
        : outcome_(outcome), value_(std::move(value)), reason_(std::move(reason)) {}

    Outcome outcome_;
    std::optional<T> value_;
    std::string reason_;
};

} // namespace vmaildir
