// Recently verified logins (auth_cache_ttl): a login that succeeded with a password is
// accepted again with the same password, without asking the directory, until the entry
// expires — like Dovecot's auth cache.  Only successes are kept, and never the password:
// each entry holds an HMAC-SHA256 of it under a key drawn at random when the cache is made
// (so the cache is worthless to anyone reading the process's memory, short of the key).
#pragma once

#include "resolve/answer_cache.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

struct evp_mac_ctx_st; // OpenSSL's EVP_MAC_CTX
#include "vmaildir/model/entities.hpp"

namespace vmaildir {

class LoginCache {
public:
    /// Kept for `ttl` (0: not at all), at most `answers.max_entries` entries; expired entries
    /// still answer for `stale_ttl` while the directory fails.  Everything is forgotten
    /// whenever the file `stamp` changes (login_stamp.hpp; empty: never).
    LoginCache(std::chrono::milliseconds ttl, std::chrono::milliseconds stale_ttl,
               const CacheSettings& answers, std::string stamp = {});
    ~LoginCache();
    LoginCache(const LoginCache&) = delete;
    LoginCache& operator=(const LoginCache&) = delete;

    bool enabled() const noexcept { return keyed_ != nullptr && entries_.enabled(); }
    /// The account, if `login` succeeded with `password` less than the TTL ago.
    std::optional<Account> verified(const std::string& login, std::string_view password);
    /// The same for an expired entry within the stale window (the directory is failing).
    std::optional<Account> stale(const std::string& login, std::string_view password);
    void remember(const std::string& login, std::string_view password, const Account& account);
    void forget(const std::string& login) { entries_.forget(login); }

private:
    using Mac = std::array<unsigned char, 32>;
    /// Forgets everything when the stamp file changed since the last look.
    void follow_stamp();
    struct Entry {
        Account account;
        Mac mac;
    };
    std::optional<Mac> mac(std::string_view password) const;
    /// The account of the entry `visit` shows, if its MAC is the password's.
    template <class Visit>
    std::optional<Account> matching(std::string_view password, Visit&& visit) const;

    /// HMAC-SHA256 keyed once with a random key; each MAC works on a copy (thread-safe, and
    /// without fetching the algorithms again for every login).
    evp_mac_ctx_st* keyed_ = nullptr;
    AnswerCache<Entry> entries_;
    std::string stamp_;
    std::atomic<std::uint64_t> seen_{0}; ///< login_stamp_version() at the last look
};

} // namespace vmaildir
