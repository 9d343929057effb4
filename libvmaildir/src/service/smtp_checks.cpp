// SMTP-time verdicts over the Service's maps (vmaildir/service/smtp_checks.hpp).
// Every step is a cached map answer, so a warm check costs no directory search.
#include "vmaildir/service/smtp_checks.hpp"

#include "vmaildir/util/text.hpp"

#include <string>

namespace vmaildir {

namespace {

/// The address without angle brackets and blanks around it.
std::string_view bare(std::string_view address) {
    address = util::trim(address);
    if (address.size() >= 2 && address.front() == '<' && address.back() == '>')
        address = util::trim(address.substr(1, address.size() - 2));
    return address;
}

/// Found with whether the domain an address claims (whatever follows its last '@') is hosted
/// here, active or not.  The domain map normalises and caches the key itself, so a warm
/// answer costs one hash lookup and no parsing.
Result<bool> claims_hosted_domain(Service& service, std::string_view address) {
    std::string_view b = bare(address);
    auto at = b.rfind('@');
    if (at == std::string_view::npos || at + 1 == b.size())
        return Result<bool>::found(false);
    auto hosted = service.lookup(MapName::domain, b.substr(at + 1));
    if (hosted.is_temp_fail())
        return Result<bool>::failure_of(hosted);
    return Result<bool>::found(hosted.is_found());
}

} // namespace

Result<RecipientVerdict> check_recipient(Service& service, std::string_view address) {
    using Out = Result<RecipientVerdict>;
    auto hosted = claims_hosted_domain(service, address);
    if (!hosted.is_found())
        return Out::failure_of(hosted);
    if (!hosted.value())
        return Out::found(RecipientVerdict::foreign);
    // An address that cannot name a mailbox (too long, control characters) is not found.
    auto finals = service.lookup(MapName::recipient, address);
    if (finals.is_temp_fail())
        return Out::failure_of(finals);
    return Out::found(finals.is_found() ? RecipientVerdict::deliverable
                                        : RecipientVerdict::unknown);
}

Result<SenderVerdict> check_sender(Service& service, std::string_view login,
                                   std::string_view sender) {
    using Out = Result<SenderVerdict>;
    if (bare(sender).empty())
        return Out::found(SenderVerdict::allowed); // the null sender: bounces, DSNs
    if (util::trim(login).empty()) {
        auto hosted = claims_hosted_domain(service, sender);
        if (!hosted.is_found())
            return Out::failure_of(hosted);
        return Out::found(hosted.value() ? SenderVerdict::unauthenticated_hosted
                                         : SenderVerdict::allowed);
    }
    std::string who(util::trim(login));
    const std::string& default_domain = service.config().auth.default_domain;
    if (who.find('@') == std::string::npos && !default_domain.empty())
        who += "@" + default_domain;
    auto owners = service.lookup(MapName::sender, sender);
    if (owners.is_temp_fail())
        return Out::failure_of(owners);
    if (owners.is_found())
        for (const std::string& owner : owners.value())
            if (util::iequals(owner, who))
                return Out::found(SenderVerdict::allowed);
    return Out::found(SenderVerdict::not_owned);
}

} // namespace vmaildir
