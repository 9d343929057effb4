// userPassword schemes (SPEC §4).
//
// A value is "{SCHEME}payload" (RFC 2307 §5.3; the tag is case-insensitive, as RFC 2307's
// ABNF strings are).  A value that does not start with '{' or has no '}' carries no tag and
// is cleartext.  Payloads, as OpenLDAP writes them (slappasswd(8); the SHA-2 family from
// contrib/slapd-modules/passwd/sha2):
//   {CRYPT}<crypt(3) string>              any method libcrypt knows, see crypt(5), with its
//                                         limits: DES reads 8 bytes of password, bcrypt 72
//   {SSHA} {SSHA256} {SSHA512} {SMD5}     base64(H(password || salt) || salt), any salt length
//   {SHA} {SHA256} {SHA512} {MD5}         base64(H(password))
//   {CLEARTEXT}<password>                 slappasswd's explicit cleartext; same policy as no tag
// Dovecot compatibility (src/auth/password-scheme.c): {SHA1} is an alias of {SHA}, and a
// Dovecot {MD5} value starting with "$1$" is MD5-crypt (base64 never contains '$', so this
// cannot be an OpenLDAP {MD5}).  Hex-encoded variants ({SHA256.HEX} etc.) are not supported.
#include "vmaildir/auth/password.hpp"

#include "vmaildir/util/base64.hpp"
#include "vmaildir/util/text.hpp"

#include <crypt.h>
#include <memory>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace vmaildir {

namespace {

using util::iequals;

// A digest scheme: payload base64(H(password || salt) || salt), the salt empty when unsalted.
struct DigestScheme {
    std::string_view tag;
    const EVP_MD* (*md)();
    bool salted;
};

constexpr DigestScheme digest_schemes[] = {
    {"SSHA", EVP_sha1, true},      {"SSHA256", EVP_sha256, true}, {"SSHA512", EVP_sha512, true},
    {"SMD5", EVP_md5, true},       {"SHA", EVP_sha1, false},      {"SHA1", EVP_sha1, false},
    {"SHA256", EVP_sha256, false}, {"SHA512", EVP_sha512, false}, {"MD5", EVP_md5, false},
};

// How a scheme vmaildir writes is made: a crypt(3) method prefix, or else a salted digest
// scheme (the names are in vmaildir/auth/password_scheme.hpp).
// A method that reads only the first `max_phrase` bytes of a password (bcrypt: 72) would make
// every longer password that shares them verify as well: such a password is refused, as one
// with a NUL is, rather than hashed in part.
struct WriteScheme {
    PasswordScheme scheme;
    const char* crypt_prefix; // for crypt_gensalt_rn; nullptr for digest schemes
    const DigestScheme* digest;
    std::size_t max_phrase = 0; // bytes of the password the method reads; 0: all
};

constexpr WriteScheme write_schemes[] = {
    {PasswordScheme::sha512_crypt, "$6$", nullptr},
    {PasswordScheme::sha256_crypt, "$5$", nullptr},
    {PasswordScheme::yescrypt, "$y$", nullptr},
    {PasswordScheme::bcrypt, "$2b$", nullptr, 72},
    {PasswordScheme::ssha512, nullptr, &digest_schemes[2]},
    {PasswordScheme::ssha256, nullptr, &digest_schemes[1]},
    {PasswordScheme::ssha, nullptr, &digest_schemes[0]},
};

constexpr std::size_t salt_size = 16; // bytes of fresh salt for every scheme we write

struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};

// H(a || b); nothing when OpenSSL refuses (e.g. MD5 under a FIPS-only provider).
std::optional<std::string> digest(const EVP_MD* md, std::string_view a, std::string_view b) {
    std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (!ctx || EVP_DigestInit_ex(ctx.get(), md, nullptr) != 1 ||
        EVP_DigestUpdate(ctx.get(), a.data(), a.size()) != 1 ||
        EVP_DigestUpdate(ctx.get(), b.data(), b.size()) != 1 ||
        EVP_DigestFinal_ex(ctx.get(), out, &len) != 1)
        return std::nullopt;
    return std::string(reinterpret_cast<const char*>(out), len);
}

// Constant time in the contents; the lengths compared here are public (digest sizes, crypt
// formats).
bool equal_ct(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

PasswordCheck verify_digest(const DigestScheme& scheme, std::string_view payload,
                            std::string_view candidate) {
    const EVP_MD* md = scheme.md();
    auto raw = util::base64_decode(payload);
    if (!md || !raw)
        return PasswordCheck::unsupported;
    const auto size = static_cast<std::size_t>(EVP_MD_size(md));
    // Shorter than the digest is a truncated value; an unsalted one must be the digest alone.
    if (raw->size() < size || (!scheme.salted && raw->size() != size))
        return PasswordCheck::unsupported;
    const std::string_view stored(*raw);
    auto computed = digest(md, candidate, stored.substr(size));
    if (!computed)
        return PasswordCheck::unsupported;
    return equal_ct(*computed, stored.substr(0, size)) ? PasswordCheck::match
                                                       : PasswordCheck::mismatch;
}

// Hashing the stored and the offered cleartext first keeps the comparison from revealing
// where they differ or, beyond the hashing time, how long the stored one is.
PasswordCheck verify_cleartext(std::string_view stored, std::string_view candidate) {
    auto a = digest(EVP_sha256(), stored, {});
    auto b = digest(EVP_sha256(), candidate, {});
    if (!a || !b)
        return PasswordCheck::unsupported;
    return equal_ct(*a, *b) ? PasswordCheck::match : PasswordCheck::mismatch;
}

// struct crypt_data is 32 KiB, so it lives on the heap.  crypt_rn requires it zeroed before
// use; it is wiped afterwards because input and output hold the passphrase and its hash
// (crypt(3) recommends passing phrase and setting through input and setting for this).
struct CryptScratch {
    crypt_data data{};
    ~CryptScratch() { OPENSSL_cleanse(&data, sizeof data); }
};

bool fits_c_string(std::string_view s, std::size_t buffer) noexcept {
    return s.size() < buffer && s.find('\0') == std::string_view::npos;
}

// crypt_rn(phrase, setting).  The hash, or nullptr when either string does not fit as a C
// string or libcrypt cannot use the setting (crypt_rn gives NULL; crypt(3) marks a failure
// with a leading '*', checked as well).
const char* run_crypt(CryptScratch& s, std::string_view phrase, std::string_view setting) {
    if (!fits_c_string(phrase, sizeof s.data.input) ||
        !fits_c_string(setting, sizeof s.data.setting))
        return nullptr;
    phrase.copy(s.data.input, phrase.size());
    setting.copy(s.data.setting, setting.size());
    const char* out = crypt_rn(s.data.input, s.data.setting, &s.data, sizeof s.data);
    return out && out[0] != '*' ? out : nullptr;
}

PasswordCheck verify_crypt(std::string_view hash, std::string_view candidate) {
    // crypt(3) takes C strings of at most CRYPT_MAX_PASSPHRASE_SIZE: a candidate with a NUL
    // byte or beyond that size was never hashed by it, and passing it on would truncate it.
    if (!fits_c_string(candidate, CRYPT_MAX_PASSPHRASE_SIZE))
        return PasswordCheck::mismatch;
    auto scratch = std::make_unique<CryptScratch>();
    const char* out = run_crypt(*scratch, candidate, hash);
    if (!out)
        return PasswordCheck::unsupported;
    return equal_ct(out, hash) ? PasswordCheck::match : PasswordCheck::mismatch;
}

// Count 0 asks crypt_gensalt(3) for the method's default cost: 5000 rounds for $5$/$6$,
// yescrypt's j9T, and for bcrypt only cost 5, which is low.
std::optional<std::string> hash_crypt(std::string_view plain, const char* prefix) {
    unsigned char random[salt_size]; // bcrypt and yescrypt need 16 bytes, $5$/$6$ use 12
    char setting[CRYPT_GENSALT_OUTPUT_SIZE];
    if (RAND_bytes(random, sizeof random) != 1 ||
        !crypt_gensalt_rn(prefix, 0, reinterpret_cast<const char*>(random), sizeof random, setting,
                          sizeof setting))
        return std::nullopt;
    auto scratch = std::make_unique<CryptScratch>();
    const char* out = run_crypt(*scratch, plain, setting);
    if (!out)
        return std::nullopt;
    return "{CRYPT}" + std::string(out);
}

std::optional<std::string> hash_digest(std::string_view plain, const DigestScheme& scheme) {
    unsigned char random[salt_size];
    if (RAND_bytes(random, sizeof random) != 1)
        return std::nullopt;
    const std::string_view salt(reinterpret_cast<const char*>(random), sizeof random);
    auto d = digest(scheme.md(), plain, salt);
    if (!d)
        return std::nullopt;
    return "{" + std::string(scheme.tag) + "}" + util::base64_encode(*d + std::string(salt));
}

/// A stored value split at its {SCHEME} tag (tag empty when it has none).
struct Stored {
    bool tagged;
    std::string_view tag, payload;
};

Stored split_stored(std::string_view stored) {
    const std::size_t close = stored.find('}');
    if (stored.empty() || stored.front() != '{' || close == std::string_view::npos)
        return {false, {}, stored};
    return {true, stored.substr(1, close - 1), stored.substr(close + 1)};
}

} // namespace

bool stored_in_cleartext(std::string_view stored) {
    const auto [tagged, tag, payload] = split_stored(stored);
    return !tagged || iequals(tag, "CLEARTEXT");
}

PasswordCheck verify_password(std::string_view stored, std::string_view candidate,
                              bool allow_cleartext) {
    // An empty password proves nothing (RFC 4513 §5.1.2 treats it as an unauthenticated
    // bind), whatever is stored.
    if (candidate.empty())
        return PasswordCheck::mismatch;
    const auto [tagged, tag, payload] = split_stored(stored);
    if (!tagged || iequals(tag, "CLEARTEXT"))
        return allow_cleartext ? verify_cleartext(payload, candidate)
                               : PasswordCheck::cleartext_refused;
    if (iequals(tag, "CRYPT") || (iequals(tag, "MD5") && payload.starts_with("$1$")))
        return verify_crypt(payload, candidate);
    for (const DigestScheme& scheme : digest_schemes)
        if (iequals(tag, scheme.tag))
            return verify_digest(scheme, payload, candidate);
    return PasswordCheck::unsupported;
}

bool password_matches(std::string_view stored, std::string_view offered) {
    return verify_password(stored, offered, true) == PasswordCheck::match;
}

std::optional<std::string> hash_password(std::string_view plain, PasswordScheme scheme) {
    // An empty password would be written but could never verify (see verify_password).
    if (plain.empty())
        return std::nullopt;
    for (const WriteScheme& w : write_schemes) {
        if (w.scheme != scheme)
            continue;
        if (w.max_phrase != 0 && plain.size() > w.max_phrase)
            return std::nullopt;
        return w.crypt_prefix ? hash_crypt(plain, w.crypt_prefix) : hash_digest(plain, *w.digest);
    }
    return std::nullopt;
}

} // namespace vmaildir
