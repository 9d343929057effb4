// userPassword schemes (vmaildir/auth/password.hpp): the input is a stored value, then after
// the first NUL a candidate password.  Properties: verifying never throws and is
// deterministic; a value with no tag or {CLEARTEXT} is refused unless cleartext is allowed,
// and then matches exactly the password it holds; an unknown tag is unsupported, never a
// match; an empty candidate never matches; a hash made by hash_password() verifies with its
// password and not with another, and bcrypt refuses a password longer than the 72 bytes it
// reads.  libcrypt's hashing is slow by design, not a defect, so it is rationed by the input's
// FNV-1a hash (an input is always checked alike, so a finding reproduces): the crypt(3) schemes
// hash only when the input starts with 'C' (a fifth of the inputs run) and its hash is 0 modulo
// 256 (5 ms a scheme), yescrypt's 0 modulo 1024 (50 ms), while bcrypt's refusal of a long
// password, which hashes nothing, is checked for every 'C' input; {CRYPT} settings that cost
// milliseconds (SHA-crypt with the default rounds, bcrypt at costs 4 to 6) are verified when
// the hash is 0 modulo 16, cheap ones (MD5-crypt, DES) always, and expensive ones (yescrypt,
// other rounds and costs) only with the empty candidate, which libcrypt never sees.
#include "fuzz.hpp"
#include "vmaildir/auth/password.hpp"

#include <string>

using namespace vmaildir;

namespace {

const char* const known_tags[] = {"CRYPT", "SSHA",   "SSHA256", "SSHA512", "SMD5",     "SHA",
                                  "SHA1",  "SHA256", "SHA512",  "MD5",     "CLEARTEXT"};

/// What checking a {CRYPT} setting costs libcrypt: well under a millisecond (MD5-crypt,
/// traditional DES), one to three milliseconds a check (SHA-crypt with the default rounds,
/// bcrypt at the lowest costs), or more (yescrypt, other rounds and costs, unknown methods).
enum class CryptCost { cheap, moderate, expensive };

CryptCost crypt_cost(std::string_view setting) {
    if (setting.rfind("$1$", 0) == 0)
        return CryptCost::cheap;
    if (setting.rfind("$5$", 0) == 0 || setting.rfind("$6$", 0) == 0)
        return setting.find("rounds=") == std::string_view::npos ? CryptCost::moderate
                                                                 : CryptCost::expensive;
    if (setting.size() >= 7 && setting.rfind("$2", 0) == 0 && setting[4] == '0' &&
        setting[5] >= '4' && setting[5] <= '6')
        return CryptCost::moderate;
    return !setting.empty() && setting.front() != '$' && setting.front() != '_'
               ? CryptCost::cheap
               : CryptCost::expensive;
}

/// Whether the input's FNV-1a hash is 0 modulo `n`: one input in `n`, and always the same ones.
bool chosen(std::string_view in, std::uint32_t n) {
    std::uint32_t h = 2166136261u;
    for (unsigned char c : in)
        h = (h ^ c) * 16777619u;
    return h % n == 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in = fuzz::text(data, size);
    std::size_t nul = in.find('\0');
    std::string_view stored = in.substr(0, nul);
    std::string_view candidate = nul == std::string_view::npos ? in : in.substr(nul + 1);
    // The tag and payload as verify_password splits them.
    const std::size_t close = stored.find('}');
    const bool tagged = !stored.empty() && stored.front() == '{' && close != std::string_view::npos;
    const std::string_view tag = tagged ? stored.substr(1, close - 1) : std::string_view();
    const std::string_view payload = tagged ? stored.substr(close + 1) : stored;
    bool crypt =
        util::iequals(tag, "CRYPT") || (util::iequals(tag, "MD5") && payload.rfind("$1$", 0) == 0);
    const CryptCost cost = crypt ? crypt_cost(payload) : CryptCost::cheap;

    if (cost == CryptCost::cheap || (cost == CryptCost::moderate && chosen(in, 16))) {
        PasswordCheck strict = verify_password(stored, candidate, false);
        PasswordCheck lenient = verify_password(stored, candidate, true);
        fuzz::require(verify_password(stored, candidate, false) == strict,
                      "verification is deterministic");
        if (candidate.empty())
            fuzz::require(strict == PasswordCheck::mismatch && lenient == PasswordCheck::mismatch,
                          "an empty candidate never matches");
        bool known = false;
        for (const char* t : known_tags)
            known = known || util::iequals(tag, t);
        if (tagged && !known)
            fuzz::require(candidate.empty() ? strict == PasswordCheck::mismatch
                                            : strict == PasswordCheck::unsupported &&
                                                  lenient == PasswordCheck::unsupported,
                          "an unknown scheme is unsupported, never a match");
        if (!candidate.empty() && (!tagged || util::iequals(tag, "CLEARTEXT"))) {
            fuzz::require(strict == PasswordCheck::cleartext_refused,
                          "cleartext is refused unless allowed");
            fuzz::require((lenient == PasswordCheck::match) == (candidate == payload),
                          "allowed cleartext matches exactly its password");
        }
        if (strict == PasswordCheck::match)
            fuzz::require(lenient == PasswordCheck::match, "allowing cleartext keeps a match");
    } else if (candidate.empty()) { // refused before libcrypt is asked
        fuzz::require(verify_password(stored, candidate, false) == PasswordCheck::mismatch &&
                          verify_password(stored, candidate, true) == PasswordCheck::mismatch,
                      "an empty candidate never matches");
    }

    // The generator: every scheme vmaildir writes verifies with its password only.
    if (candidate.empty())
        return 0;
    // Another password differs in its first byte: bcrypt reads only 72 bytes of a candidate
    // (a documented limit of seed hashes), so a longer one may differ beyond them in vain.
    std::string other(candidate);
    other[0] = static_cast<char>(other[0] ^ 1);
    for (PasswordScheme scheme :
         {PasswordScheme::ssha512, PasswordScheme::ssha256, PasswordScheme::ssha,
          PasswordScheme::sha512_crypt, PasswordScheme::sha256_crypt, PasswordScheme::yescrypt,
          PasswordScheme::bcrypt}) {
        bool is_crypt = scheme != PasswordScheme::ssha512 && scheme != PasswordScheme::ssha256 &&
                        scheme != PasswordScheme::ssha;
        const bool refused = scheme == PasswordScheme::bcrypt && candidate.size() > 72;
        if (is_crypt &&
            (in.empty() || in[0] != 'C' ||
             (!refused && !chosen(in, scheme == PasswordScheme::yescrypt ? 1024 : 256))))
            continue;
        auto hash = hash_password(candidate, scheme);
        if (!is_crypt)
            fuzz::require(hash.has_value(), "a digest scheme always hashes");
        if (refused)
            fuzz::require(!hash, "bcrypt refuses what it would hash in part");
        if (!hash)
            continue;
        fuzz::require(verify_password(*hash, candidate, false) == PasswordCheck::match,
                      "a fresh hash verifies with its password");
        fuzz::require(verify_password(*hash, other, false) == PasswordCheck::mismatch,
                      "a fresh hash does not verify with another password");
        fuzz::require(hash_password(candidate, scheme) != hash, "every hash has a fresh salt");
    }
    return 0;
}
