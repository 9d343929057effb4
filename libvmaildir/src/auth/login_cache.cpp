// Recently verified logins, keyed by HMAC-SHA256 of the password (login_cache.hpp).
#include "auth/login_cache.hpp"

#include "vmaildir/auth/login_stamp.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

namespace vmaildir {

namespace {

CacheSettings settings_for(std::chrono::milliseconds ttl, std::chrono::milliseconds stale_ttl,
                           const CacheSettings& answers) {
    CacheSettings s;
    s.positive_ttl = ttl;
    s.negative_ttl = std::chrono::milliseconds{0}; // failures are never kept
    s.stale_ttl = stale_ttl;
    s.max_entries = ttl.count() > 0 ? answers.max_entries : 0;
    return s;
}

} // namespace

LoginCache::LoginCache(std::chrono::milliseconds ttl, std::chrono::milliseconds stale_ttl,
                       const CacheSettings& answers, std::string stamp)
    : entries_(settings_for(ttl, stale_ttl, answers)), stamp_(std::move(stamp)),
      seen_(login_stamp_version(stamp_)) {
    // Without a secret key the cache would hold guessable values: then it keeps nothing.
    std::array<unsigned char, 32> key{};
    if (!entries_.enabled() || RAND_bytes(key.data(), static_cast<int>(key.size())) != 1)
        return;
    EVP_MAC* hmac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = hmac ? EVP_MAC_CTX_new(hmac) : nullptr;
    EVP_MAC_free(hmac); // the context holds its own reference
    char digest[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                           OSSL_PARAM_construct_end()};
    if (ctx && EVP_MAC_init(ctx, key.data(), key.size(), params) == 1)
        keyed_ = ctx;
    else
        EVP_MAC_CTX_free(ctx);
    OPENSSL_cleanse(key.data(), key.size());
}

LoginCache::~LoginCache() { EVP_MAC_CTX_free(keyed_); }

std::optional<LoginCache::Mac> LoginCache::mac(std::string_view password) const {
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_dup(keyed_);
    Mac out{};
    std::size_t len = 0;
    bool ok = ctx &&
              EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(password.data()),
                             password.size()) == 1 &&
              EVP_MAC_final(ctx, out.data(), &len, out.size()) == 1 && len == out.size();
    EVP_MAC_CTX_free(ctx);
    if (!ok)
        return std::nullopt;
    return out;
}

template <class Visit>
std::optional<Account> LoginCache::matching(std::string_view password, Visit&& visit) const {
    auto m = mac(password);
    if (!m)
        return std::nullopt;
    std::optional<Account> account;
    visit([&](const Result<Entry>& hit) {
        if (hit.is_found() && CRYPTO_memcmp(m->data(), hit.value().mac.data(), m->size()) == 0)
            account = hit.value().account;
    });
    return account;
}

void LoginCache::follow_stamp() {
    if (stamp_.empty())
        return;
    const std::uint64_t now = login_stamp_version(stamp_);
    if (seen_.exchange(now) != now)
        entries_.clear();
}

std::optional<Account> LoginCache::verified(const std::string& login, std::string_view password) {
    if (!enabled())
        return std::nullopt;
    follow_stamp();
    return matching(password, [&](auto&& use) { entries_.visit_fresh(login, use); });
}

std::optional<Account> LoginCache::stale(const std::string& login, std::string_view password) {
    if (!enabled())
        return std::nullopt;
    follow_stamp();
    return matching(password, [&](auto&& use) { entries_.visit_stale(login, use); });
}

void LoginCache::remember(const std::string& login, std::string_view password,
                          const Account& account) {
    if (!enabled())
        return;
    if (auto m = mac(password))
        entries_.store(login, Result<Entry>::found(Entry{account, *m}));
}

} // namespace vmaildir
