// Building the Courier authinfo from an Account (authinfo.hpp): quota syntax, login data.
#include "authinfo.hpp"

#include "vmaildir/util/text.hpp"

#include <charconv>
#include <cstdint>

namespace vmaildir::courier {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

/// One "<digits>S" or "<digits>C" item of Courier's quota syntax (maildirquota(7)).
bool courier_item(std::string_view item) {
    return item.size() >= 2 && (item.back() == 'S' || item.back() == 'C') &&
           all_digits(item.substr(0, item.size() - 1));
}

/// authdaemond writes each authinfo field as one "NAME=value" line (authdaemond.c), and the
/// module hands them over as C strings: a value with a newline would add lines of its own
/// (another HOME=, UID=), one with a NUL would be cut short.
bool one_line(const std::string& value) {
    return value.find('\n') == std::string::npos && value.find('\0') == std::string::npos;
}

} // namespace

std::optional<std::string> courier_quota(std::string_view stored) {
    while (!stored.empty() && stored.front() == ' ')
        stored.remove_prefix(1);
    while (!stored.empty() && stored.back() == ' ')
        stored.remove_suffix(1);
    if (stored.empty() || stored == "0")
        return std::string();
    // Courier's own form: items separated by commas.
    bool courier = true;
    for (std::size_t start = 0; start <= stored.size();) {
        std::size_t comma = stored.find(',', start);
        if (comma == std::string_view::npos)
            comma = stored.size();
        courier = courier && courier_item(stored.substr(start, comma - start));
        start = comma + 1;
    }
    if (courier)
        return std::string(stored);
    // A size: digits with an optional binary unit.
    std::uint64_t factor = 1;
    std::string_view digits = stored;
    switch (stored.back()) {
    case 'K': case 'k': factor = 1ULL << 10; break;
    case 'M': case 'm': factor = 1ULL << 20; break;
    case 'G': case 'g': factor = 1ULL << 30; break;
    case 'T': case 't': factor = 1ULL << 40; break;
    default: break;
    }
    if (factor != 1)
        digits.remove_suffix(1);
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (!all_digits(digits) || ec != std::errc() || end != digits.data() + digits.size() ||
        n > UINT64_MAX / factor)
        return std::nullopt;
    if (n == 0)
        return std::string();
    return std::to_string(n * factor) + "S";
}

std::pair<std::optional<AuthInfo>, std::string> to_authinfo(const Account& account,
                                                            const Config& config) {
    const std::string who = util::printable(account.address);
    for (const std::string* value :
         {&account.address, &account.name, &account.home, &account.mailbox, &account.quota})
        if (!one_line(*value))
            return {std::nullopt, "account " + who + " has a newline or NUL in a value ('" +
                                      util::printable(*value) + "')"};
    AuthInfo info;
    info.address = account.address;
    info.fullname = account.name;
    info.homedir = account.home;
    if (info.homedir.empty())
        return {std::nullopt,
                "account " + who + " has no home directory (" + config.schema.home_attribute + ")"};
    // The mailbox is relative to the home directory (the Jamm and Courier layouts) unless it
    // is absolute (the Exim layout's mailMessageStore); without one, Courier uses
    // $HOME/Maildir.
    if (!account.mailbox.empty())
        info.maildir = account.mailbox.front() == '/' ? account.mailbox
                                                      : info.homedir + "/" + account.mailbox;
    auto uid = config.static_uid ? config.static_uid : account.uid;
    auto gid = config.static_gid ? config.static_gid : account.gid;
    if (!uid || !gid)
        return {std::nullopt, "account " + who + " has no " +
                                  (uid ? std::string("gid") : std::string("uid")) +
                                  " number and static_" + (uid ? "gid" : "uid") + " is not set"};
    info.uid = static_cast<uid_t>(*uid);
    info.gid = static_cast<gid_t>(*gid);
    auto quota = courier_quota(account.quota);
    if (!quota)
        return {std::nullopt, "account " + who + " has a quota Courier cannot read: '" +
                                  util::printable(account.quota) + "'"};
    info.quota = *quota;
    if (account.disable_imap)
        info.options = "disableimap=1";
    if (account.disable_pop3)
        info.options += std::string(info.options.empty() ? "" : ",") + "disablepop3=1";
    return {std::move(info), {}};
}

std::optional<std::pair<std::string, std::string>> parse_login(std::string_view authdata) {
    std::size_t first = authdata.find('\n');
    if (first == std::string_view::npos)
        return std::nullopt;
    std::string_view user = authdata.substr(0, first);
    std::string_view rest = authdata.substr(first + 1);
    std::size_t second = rest.find('\n');
    std::string_view password = second == std::string_view::npos ? rest : rest.substr(0, second);
    if (user.empty())
        return std::nullopt;
    return std::make_pair(std::string(user), std::string(password));
}

} // namespace vmaildir::courier
