// Password checks (bind or compare) and self-service password changes (SPEC §4, §5).
#include "auth/authenticator.hpp"

#include "vmaildir/auth/login_stamp.hpp"
#include "vmaildir/auth/password.hpp"
#include "vmaildir/util/text.hpp"

namespace vmaildir {

namespace {

/// A refusal when the account's flags close `service` to it.
std::optional<Result<Account>> service_closed(const Account& a, std::string_view service,
                                              Trace* trace) {
    std::string svc = util::ascii_lower(service);
    if ((svc == "imap" && a.disable_imap) || (svc == "pop3" && a.disable_pop3)) {
        note(trace, "login " + a.address + ": " + svc + " is disabled for this account");
        return Result<Account>::not_found(svc + " disabled for " + a.address);
    }
    return std::nullopt;
}

} // namespace

Authenticator::Authenticator(Resolver& resolver, AuthSettings settings, AclPolicy acl,
                             const CacheSettings& cache, Logger& log)
    : resolver_(resolver), directory_(resolver.reader().directory()),
      settings_(std::move(settings)), acl_(acl), log_(log),
      logins_(settings_.cache_ttl, settings_.cache_stale_ttl, cache, settings_.cache_stamp) {}

std::string Authenticator::complete_login(std::string_view login) const {
    std::string l(util::trim(login));
    if (l.find('@') == std::string::npos && !settings_.default_domain.empty() && !l.empty())
        l += "@" + settings_.default_domain;
    return l;
}

Result<Account> Authenticator::account(std::string_view login, Trace* trace) {
    return resolver_.login_account(complete_login(login), trace);
}

// The login checked in the directory: a fresh account lookup (never from the answer cache),
// then the password by bind or compare.
Result<Account> Authenticator::check_login(const std::string& name, std::string_view password,
                                           std::string_view service, Trace* trace) {
    if (password.empty()) {
        note(trace, "login " + util::printable(name) + ": empty password refused");
        return Result<Account>::not_found("empty password");
    }
    auto account = resolver_.login_account(name, trace);
    if (!account.is_found())
        return account;
    const Account& a = account.value();
    if (auto closed = service_closed(a, service, trace))
        return *closed;

    if (settings_.method == AuthMethod::bind) {
        auto ok = directory_.check_bind(a.dn, password, deadline());
        if (!ok.is_found()) {
            note(trace, "bind as " + a.dn + ": " + ok.reason());
            return Result<Account>::failure_of(ok);
        }
        note(trace, "bind as " + a.dn + (ok.value() ? ": accepted" : ": invalid credentials"));
        if (!ok.value())
            return Result<Account>::not_found("wrong password for " + a.address);
        return account;
    }

    auto entry = resolver_.reader().entry(a.dn, true, deadline());
    if (!entry.is_found()) // it vanished between two searches: try again later
        return Result<Account>::temp_fail("reading " + a.dn + ": " + entry.reason());
    const auto& stored = entry.value().values(resolver_.mapper().schema().password_attribute);
    if (stored.empty()) {
        // None set (`account add --no-password`: it cannot log in, as a bind would be
        // refused), or the access rules hide it from bind_dn, which `vmaildir check` reports.
        const std::string reason =
            a.dn + " shows no " + resolver_.mapper().schema().password_attribute +
            ": none is set, or bind_dn may not read it (auth_method = compare needs read "
            "access; `vmaildir acl-rules` grants it)";
        note(trace, "compare: " + reason);
        return Result<Account>::not_found(reason);
    }
    bool unsupported = false;
    for (const std::string& value : stored) {
        switch (verify_password(value, password, settings_.allow_cleartext)) {
        case PasswordCheck::match:
            note(trace, "compare: password matches");
            return account;
        case PasswordCheck::mismatch:
            break;
        case PasswordCheck::unsupported:
        case PasswordCheck::cleartext_refused:
            unsupported = true;
            break;
        }
    }
    if (unsupported) {
        // Directory trouble, never "wrong password": the stored value cannot be checked.
        std::string reason = a.dn + ": stored password uses an unsupported scheme or is "
                                    "cleartext (see allow_cleartext_passwords)";
        note(trace, "compare: " + reason);
        return Result<Account>::temp_fail(reason);
    }
    note(trace, "compare: password does not match");
    return Result<Account>::not_found("wrong password for " + a.address);
}

// The login's canonical address (folded as the policy says): logins spelled differently
// share one cache entry, and a password change forgets all of them.  Empty when it is no
// address (then nothing is cached).
std::string Authenticator::cache_key(const std::string& name) const {
    auto parsed = parse_address(name, resolver_.mapper().settings().address);
    auto* address = std::get_if<Address>(&parsed);
    return address ? address->key() : std::string();
}

Result<Account> Authenticator::authenticate(std::string_view login, std::string_view password,
                                            std::string_view service, Trace* trace) {
    const std::string name = complete_login(login);
    const std::string key = cache_key(name);
    if (!password.empty() && !key.empty())
        if (auto cached = logins_.verified(key, password)) {
            note(trace, "login " + cached->address +
                            ": verified with this password within auth_cache_ttl; directory "
                            "not asked");
            if (auto closed = service_closed(*cached, service, trace))
                return *closed;
            return Result<Account>::found(std::move(*cached));
        }
    auto checked = check_login(name, password, service, trace);
    if (key.empty())
        return checked;
    if (checked.is_found()) {
        logins_.remember(key, password, checked.value());
    } else if (checked.is_temp_fail()) {
        if (auto old = logins_.stale(key, password)) {
            log_.warning("login " + old->address + ": directory failed (" + checked.reason() +
                         "); accepted from an expired login cache entry");
            note(trace, "directory failed; accepted from an expired login cache entry");
            if (auto closed = service_closed(*old, service, trace))
                return *closed;
            return Result<Account>::found(std::move(*old));
        }
    }
    return checked;
}

Result<std::monostate> Authenticator::change_password(std::string_view login,
                                                      std::string_view old_password,
                                                      std::string_view new_password) {
    using Out = Result<std::monostate>;
    const std::string name = complete_login(login);
    // Always checked in the directory: the old password may have changed elsewhere.
    auto account = check_login(name, old_password, "passwd", nullptr);
    if (!account.is_found())
        return Out::failure_of(account);
    const Account& a = account.value();
    Actor self{a.dn, a.address, false, {}};
    Target target;
    target.domain = a.address.substr(a.address.rfind('@') + 1);
    target.entry_dn = a.dn;
    target.entry_address = a.address;
    Decision decision = decide(self, Action::set_password, target, acl_);
    if (!decision.allowed)
        return Out::not_found(decision.reason);
    if (new_password.empty())
        return Out::not_found("the new password is empty");
    auto hashed = hash_password(new_password, settings_.scheme);
    if (!hashed)
        return Out::temp_fail("cannot hash the new password with " +
                              std::string(to_string(settings_.scheme)));
    Modification change{
        Modification::Op::replace, resolver_.mapper().schema().password_attribute, {*hashed}};
    // As the account itself: slapd's access rules ("by self write") decide as well.
    auto done = directory_.modify_as(Credentials{a.dn, std::string(old_password)}, a.dn, {change},
                                     deadline());
    logins_.forget(cache_key(name)); // the old password stops working at once, here
    if (done.is_found()) {
        log_.info("password changed for " + a.address);
        // ... and in every other process of this host (other authdaemond workers, daemons).
        if (std::string problem; !touch_login_stamp(settings_.cache_stamp, problem))
            log_.warning("password of " + a.address + " changed, but " + problem +
                         ": other processes accept the old one for up to auth_cache_ttl");
    } else
        log_.warning("password change for " + a.address + " failed: " + done.reason());
    return done;
}

} // namespace vmaildir
