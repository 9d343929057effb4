// userPassword schemes (SPEC §4): known answers from other tools, every malformed shape we
// can think of, and hash_password round trips.  All test passwords are throwaway.
#include "vmaildir/util/base64.hpp"
#include "vmaildir/auth/password.hpp"

#include <doctest/doctest.h>
#include <openssl/evp.h>
#include <string>
#include <vector>

using vmaildir::hash_password;
using vmaildir::PasswordCheck;
using vmaildir::PasswordScheme;
using vmaildir::stored_in_cleartext;
using vmaildir::verify_password;

namespace doctest {
template <> struct StringMaker<PasswordCheck> {
    static String convert(PasswordCheck check) {
        switch (check) {
        case PasswordCheck::match:
            return "match";
        case PasswordCheck::mismatch:
            return "mismatch";
        case PasswordCheck::unsupported:
            return "unsupported";
        case PasswordCheck::cleartext_refused:
            return "cleartext_refused";
        }
        return "?";
    }
};
} // namespace doctest

namespace {

using namespace std::string_literals;

struct Vector {
    const char* name;
    const char* stored;
    const char* password;
};

// Each value was produced outside vmaildir, with the command in its row's comment, and is
// hard-coded here.  "pw-sha2" is slappasswd with
// -o module-path=/usr/lib/ldap -o module-load=pw-sha2.la (OpenLDAP 2.5, Debian 12).
const Vector known_vectors[] = {
    // slappasswd -h {SSHA} -s secret  (4-byte salt)
    {"slappasswd SSHA", "{SSHA}y3lfg3gIuf9rorlxoleYR9Yk+EAw6vEd", "secret"},
    // slappasswd pw-sha2 -h {SSHA256} -s secret  (8-byte salt)
    {"slappasswd SSHA256",
     "{SSHA256}XMFF8frYTYP62gChCdLtoyLlob/KfP3J0LrHz/PCNXGRC2/vxdfipg==", "secret"},
    // slappasswd pw-sha2 -h {SSHA512} -s secret  (8-byte salt)
    {"slappasswd SSHA512",
     "{SSHA512}NXS3UYykdX4N4Qpvo3iSQka4t48O7pzyQ5IPoUO71ob/"
     "5HtyWGCbo+uMqdQ9JBwrllCIoYU4DoJpoz2ZmLIk7LAPsOnpel53",
     "secret"},
    // slappasswd -h {SMD5} -s secret
    {"slappasswd SMD5", "{SMD5}taR75AIg/ScjgWHxx+esCOZQQ7Y=", "secret"},
    // slappasswd -h {SHA} -s secret
    {"slappasswd SHA", "{SHA}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret"},
    // the same value under Dovecot's {SHA1} alias
    {"SHA1 alias", "{SHA1}5en6G6MezRroT3XKqkdPOmY/BfQ=", "secret"},
    // slappasswd pw-sha2 -h {SHA256} -s secret
    {"slappasswd SHA256", "{SHA256}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols=", "secret"},
    // slappasswd pw-sha2 -h {SHA512} -s secret
    {"slappasswd SHA512",
     "{SHA512}vSsar3708Jvp9Szi2NWZZ02Bqp1qRCFpbcTZPdBhnWgs5WtNZKnvCXdhztmeD2cmW192CF5bDufKRpayrW/"
     "isg==",
     "secret"},
    // slappasswd -h {MD5} -s secret
    {"slappasswd MD5", "{MD5}Xr4ilOzQ4PCOq3aQ0qbuaQ==", "secret"},
    // Dovecot writes MD5-crypt under {MD5}; the value is `openssl passwd -1 secret`
    {"Dovecot MD5 as MD5-crypt", "{MD5}$1$j3gtjRUR$Fpm8bTvvUeRbY6eY.qBfC.", "secret"},
    // slappasswd -h {CRYPT} -c '$6$%.16s' -s secret
    {"slappasswd CRYPT $6$",
     "{CRYPT}$6$fN0e2GSKw6HMOVBQ$PW6pZC/yYhz/eMitE4/e1ji5/HVs.1JlUSMoxBssbXaQM/"
     "0JpAb.bAXLznxIHotvub2NAB03mwop78E8g0dcj/",
     "secret"},
    // slappasswd -h {CRYPT} -c '$5$%.16s' -s secret
    {"slappasswd CRYPT $5$",
     "{CRYPT}$5$HZBPUZ5Q/iDNiSPg$LdXfVUKKU7Z122NJcnAhwNREhDDMwpbEzDo53eHwmn4", "secret"},
    // slappasswd -h {CRYPT} -c '$1$%.8s' -s secret
    {"slappasswd CRYPT $1$", "{CRYPT}$1$Yli7zt./$Gi5KSJEjYHmSykYwbOlTR/", "secret"},
    // slappasswd -h {CRYPT} -c '%.2s' -s secret  (traditional DES)
    {"slappasswd CRYPT DES", "{CRYPT}IXRea49dervfE", "secret"},
    // openssl passwd -6 secret  (OpenSSL's own implementation, not libcrypt)
    {"openssl CRYPT $6$",
     "{CRYPT}$6$QyKuV4B9FChoox21$nHIMDIJIbXhejoTcuH0gVYps/U3Hc0gZ1YwTvU8qRyJUGzh5yDxZylUFEYcn/"
     "h6cHtWqs8OPhaCEp/tQ1.Z/T1",
     "secret"},
    // openssl passwd -5 secret
    {"openssl CRYPT $5$", "{CRYPT}$5$FV0UTgS6Gj.nxoqK$z.WH5/idO9vwJdeP6EsgczDUtRuel5bdO4pYiUtevG5",
     "secret"},
    // openssl passwd -1 secret
    {"openssl CRYPT $1$", "{CRYPT}$1$j3gtjRUR$Fpm8bTvvUeRbY6eY.qBfC.", "secret"},
    // Openwall crypt_blowfish's published test vector ("U*U", cost 5)
    {"crypt_blowfish CRYPT $2a$",
     "{CRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"},
    // python3 -c 'import crypt; print(crypt.crypt("secret",
    //     crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=32)))'
    {"python CRYPT $2b$", "{CRYPT}$2b$05$hmTsWLceP/k3RPoCbQEHneBfpjXD6q4476Y7w8eDbmBeZQtAC5Hj6",
     "secret"},
    // the yescrypt reference implementation's TESTS-OK (openwall/yescrypt)
    {"yescrypt reference CRYPT $y$",
     "{CRYPT}$y$jD5.7$LdJMENpBABJJ3hIHjB1Bi.$HboGM6qPrsK.StKYGt6KErmUYtioHreJd98oIugoNB6",
     "pleaseletmein"},
    // python3 -c 'import crypt; print(crypt.crypt("secret", "$y$j9T$aBfZHc/QhvopXUMA"))'
    {"python CRYPT $y$",
     "{CRYPT}$y$j9T$aBfZHc/QhvopXUMA$14mi2X7aU/OKMdY.6T8LaWqK19mzS1Xz.Ck1hy6KBO8", "secret"},
};

std::string b64(const std::string& bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(bytes.data()),
                                  static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string raw_digest(const EVP_MD* md, const std::string& input) {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    REQUIRE(EVP_Digest(input.data(), input.size(), d, &n, md, nullptr) == 1);
    return std::string(reinterpret_cast<const char*>(d), n);
}

// "{TAG}" base64(H(password || salt) || salt), built with OpenSSL alone (RFC 2307 style).
std::string salted(const std::string& tag, const EVP_MD* md, const std::string& password,
                   const std::string& salt) {
    return "{" + tag + "}" + b64(raw_digest(md, password + salt) + salt);
}

// Salt bytes that include NUL, high bytes and '}' so nothing in the salt path is textual.
std::string hostile_salt(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i)
        s += static_cast<char>((i * 73 + (i % 3 == 1 ? 125 : 0)) & 0xff);
    return s;
}

// "{SSHA}..." → "{ssha}..." etc.
std::string lower_tag(std::string stored) {
    for (char& c : stored) {
        if (c == '}')
            break;
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return stored;
}

} // namespace

TEST_CASE("password: known vectors from other tools match; near misses do not") {
    for (const Vector& v : known_vectors)
        for (bool allow_cleartext : {false, true}) {
            CAPTURE(v.name);
            CAPTURE(allow_cleartext);
            const std::string pw = v.password;
            CHECK(verify_password(v.stored, pw, allow_cleartext) == PasswordCheck::match);
            CHECK(verify_password(lower_tag(v.stored), pw, allow_cleartext) ==
                  PasswordCheck::match);
            CHECK(verify_password(v.stored, pw + "!", allow_cleartext) == PasswordCheck::mismatch);
            CHECK(verify_password(v.stored, pw.substr(0, pw.size() - 1), allow_cleartext) ==
                  PasswordCheck::mismatch);
            CHECK(verify_password(v.stored, "X" + pw.substr(1), allow_cleartext) ==
                  PasswordCheck::mismatch);
            // The empty password proves nothing, whatever is stored.
            CHECK(verify_password(v.stored, "", allow_cleartext) == PasswordCheck::mismatch);
        }
}

TEST_CASE("password: a crypt value altered after its salt never matches") {
    // crypt(3) reads only the method and salt from the setting and recomputes the rest, so
    // a stored hash with bytes added or cut must fail the comparison, not match a prefix.
    for (const Vector& v : known_vectors) {
        const std::string stored = v.stored;
        if (stored.rfind("{CRYPT}", 0) != 0)
            continue;
        CAPTURE(v.name);
        CHECK(verify_password(stored + "A", v.password, false) == PasswordCheck::mismatch);
        CHECK(verify_password(stored.substr(0, stored.size() - 1), v.password, false) ==
              PasswordCheck::mismatch);
    }
}

TEST_CASE("password: mixed-case scheme tags") {
    CHECK(verify_password("{Ssha}y3lfg3gIuf9rorlxoleYR9Yk+EAw6vEd", "secret", false) ==
          PasswordCheck::match);
    CHECK(verify_password("{crypt}$1$Yli7zt./$Gi5KSJEjYHmSykYwbOlTR/", "secret", false) ==
          PasswordCheck::match);
}

TEST_CASE("password: salted digests accept any salt length") {
    struct Scheme {
        const char* tag;
        const EVP_MD* md;
    };
    const Scheme schemes[] = {{"SSHA", EVP_sha1()},
                              {"SSHA256", EVP_sha256()},
                              {"SSHA512", EVP_sha512()},
                              {"SMD5", EVP_md5()}};
    for (const Scheme& s : schemes)
        for (std::size_t salt_len : {0, 1, 4, 8, 16, 32, 100}) {
            CAPTURE(s.tag);
            CAPTURE(salt_len);
            const std::string stored = salted(s.tag, s.md, "hunter2", hostile_salt(salt_len));
            CHECK(verify_password(stored, "hunter2", false) == PasswordCheck::match);
            CHECK(verify_password(stored, "hunter3", false) == PasswordCheck::mismatch);
            CHECK(verify_password(stored, "hunter2\0"s, false) == PasswordCheck::mismatch);
            // The salt is part of what is hashed: the right digest with another salt fails.
            const std::string digest = raw_digest(s.md, "hunter2" + hostile_salt(salt_len));
            const std::string resalted =
                "{"s + s.tag + "}" + b64(digest + "x" + hostile_salt(salt_len));
            CHECK(verify_password(resalted, "hunter2", false) == PasswordCheck::mismatch);
        }
}

TEST_CASE("password: unsalted digests built with OpenSSL") {
    struct Row {
        const char* tag;
        const EVP_MD* md;
    };
    const Row rows[] = {{"SHA", EVP_sha1()},
                        {"SHA1", EVP_sha1()},
                        {"SHA256", EVP_sha256()},
                        {"SHA512", EVP_sha512()},
                        {"MD5", EVP_md5()}};
    for (const Row& r : rows) {
        CAPTURE(r.tag);
        const std::string password = "p\xc3\xa4ss w\xc3\xb6rd"; // UTF-8 with a blank
        const std::string stored = "{"s + r.tag + "}" + b64(raw_digest(r.md, password));
        CHECK(verify_password(stored, password, false) == PasswordCheck::match);
        CHECK(verify_password(stored, "pass word", false) == PasswordCheck::mismatch);
        // Salt bytes after an unsalted digest make the value malformed, not "salted".
        const std::string extra = "{"s + r.tag + "}" + b64(raw_digest(r.md, password) + "salt");
        CHECK(verify_password(extra, password, false) == PasswordCheck::unsupported);
    }
}

TEST_CASE("password: malformed and unknown values are unsupported") {
    struct Row {
        const char* name;
        std::string stored;
    };
    const std::string sha1_of_secret = raw_digest(EVP_sha1(), "secret");
    const std::vector<Row> rows = {
        {"SSHA not base64", "{SSHA}!!!!"},
        {"SSHA base64 of wrong length", "{SSHA}y3lfg3gIuf9rorlxoleYR9Yk+EAw6vE"},
        {"SSHA empty payload", "{SSHA}"},
        {"SSHA truncated digest", "{SSHA}" + b64(sha1_of_secret.substr(0, 19))},
        {"SSHA512 with an SSHA payload", "{SSHA512}y3lfg3gIuf9rorlxoleYR9Yk+EAw6vEd"},
        {"SMD5 ten bytes", "{SMD5}" + b64("0123456789")},
        {"SHA truncated digest", "{SHA}" + b64(sha1_of_secret.substr(0, 19))},
        {"SHA empty payload", "{SHA}"},
        {"SHA with a SHA-256 payload", "{SHA}K7gNU3sdo+OL0wNhqoVWhr3g6s1xYv72ol/pe/Unols="},
        {"SHA256 with a SHA-1 payload", "{SHA256}5en6G6MezRroT3XKqkdPOmY/BfQ="},
        {"MD5 with garbage in base64", "{MD5}Xr4ilOzQ4PCO*3aQ0qbuaQ=="},
        {"CRYPT empty", "{CRYPT}"},
        {"CRYPT locked account", "{CRYPT}!$1$Yli7zt./$Gi5KSJEjYHmSykYwbOlTR/"},
        {"CRYPT star", "{CRYPT}*"},
        {"CRYPT unknown method", "{CRYPT}$9$abcdefgh$abcdefgh"},
        {"CRYPT NUL inside", "{CRYPT}$1$Yli7zt./\0$Gi5KSJEjYHmSykYwbOlTR/"s},
        {"CRYPT overlong", "{CRYPT}$6$" + std::string(1000, 'a')},
        {"unknown scheme", "{PBKDF2}abc"},
        {"OpenLDAP pass-through", "{SASL}user@example.org"},
        {"argon2 tag", "{ARGON2}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$abc"},
        {"empty tag", "{}secret"},
        {"blank in tag", "{ SSHA}y3lfg3gIuf9rorlxoleYR9Yk+EAw6vEd"},
    };
    for (const Row& r : rows)
        for (bool allow_cleartext : {false, true}) {
            CAPTURE(r.name);
            CAPTURE(allow_cleartext);
            CHECK(verify_password(r.stored, "secret", allow_cleartext) ==
                  PasswordCheck::unsupported);
        }
}

TEST_CASE("password: cleartext follows the policy") {
    struct Row {
        const char* name;
        std::string stored;
        std::string candidate;
        bool allow;
        PasswordCheck expected;
    };
    const std::vector<Row> rows = {
        {"allowed, right", "secret", "secret", true, PasswordCheck::match},
        {"allowed, wrong case", "secret", "Secret", true, PasswordCheck::mismatch},
        {"allowed, prefix", "secret", "secre", true, PasswordCheck::mismatch},
        {"allowed, longer", "secret", "secret2", true, PasswordCheck::mismatch},
        {"refused, right", "secret", "secret", false, PasswordCheck::cleartext_refused},
        {"refused, wrong", "secret", "wrong", false, PasswordCheck::cleartext_refused},
        {"{CLEARTEXT} allowed", "{CLEARTEXT}secret", "secret", true, PasswordCheck::match},
        {"{cleartext} allowed, wrong", "{cleartext}secret", "secreT", true,
         PasswordCheck::mismatch},
        {"{CLEARTEXT} refused", "{CLEARTEXT}secret", "secret", false,
         PasswordCheck::cleartext_refused},
        {"unclosed brace is cleartext", "{SSHA", "{SSHA", true, PasswordCheck::match},
        {"unclosed brace refused", "{SSHA", "{SSHA", false, PasswordCheck::cleartext_refused},
        {"NUL bytes compared too", "se\0cret"s, "se\0cret"s, true, PasswordCheck::match},
        {"NUL does not truncate", "se\0cret"s, "se", true, PasswordCheck::mismatch},
        {"empty stored, empty candidate", "", "", true, PasswordCheck::mismatch},
        {"empty {CLEARTEXT}, empty candidate", "{CLEARTEXT}", "", true, PasswordCheck::mismatch},
        {"empty stored, some candidate", "", "x", true, PasswordCheck::mismatch},
        {"empty stored refused", "", "x", false, PasswordCheck::cleartext_refused},
    };
    for (const Row& r : rows) {
        CAPTURE(r.name);
        CHECK(verify_password(r.stored, r.candidate, r.allow) == r.expected);
        // What `vmaildir check` reports agrees with what compare mode refuses.
        CHECK(stored_in_cleartext(r.stored) == (verify_password(r.stored, "x", false) ==
                                                PasswordCheck::cleartext_refused));
    }
    CHECK_FALSE(stored_in_cleartext("{SSHA}RCQ3rqU/ddzyzkgTL8tzLnuBYsZ1yvBR"));
    CHECK_FALSE(stored_in_cleartext("{crypt}$6$salt$hash"));
    CHECK_FALSE(stored_in_cleartext("{NOSUCH}x")); // unsupported, not cleartext
}

TEST_CASE("password: an empty candidate never matches, even a hash of the empty password") {
    const std::string empty_hashes[] = {
        "{MD5}1B2M2Y8AsgTpgAmY7PhCfg==", // MD5("") from RFC 1321 A.5
        salted("SSHA", EVP_sha1(), "", "salt"),
        salted("SSHA512", EVP_sha512(), "", ""),
        // libxcrypt's yescrypt test vector for the empty passphrase
        "{CRYPT}$y$jD5.7$$JD8dsR.nt1ty0ltQ2HHwauaDRoOUIEaA5i.vpj2nyL.",
        // python3 -c 'import crypt; print(crypt.crypt("", "$2b$05$abcdefghijklmnopqrstuu"))'
        "{CRYPT}$2b$05$abcdefghijklmnopqrstuu0oImNDIy4flhldV9YqunRgBAePKmw7m",
    };
    for (const std::string& stored : empty_hashes)
        for (bool allow_cleartext : {false, true}) {
            CAPTURE(stored);
            CHECK(verify_password(stored, "", allow_cleartext) == PasswordCheck::mismatch);
        }
}

TEST_CASE("password: crypt never sees a truncated candidate") {
    const char* stored = "{CRYPT}$6$fN0e2GSKw6HMOVBQ$PW6pZC/yYhz/eMitE4/e1ji5/"
                         "HVs.1JlUSMoxBssbXaQM/0JpAb.bAXLznxIHotvub2NAB03mwop78E8g0dcj/";
    CHECK(verify_password(stored, "secret\0"s, false) == PasswordCheck::mismatch);
    CHECK(verify_password(stored, "secret\0trailing"s, false) == PasswordCheck::mismatch);
    CHECK(verify_password(stored, "secret" + std::string(4096, 'x'), false) ==
          PasswordCheck::mismatch);
}

TEST_CASE("password: hash_password round trips with fresh salt") {
    struct Row {
        PasswordScheme scheme;
        const char* prefix;
        std::size_t decoded_size; // digest + 16-byte salt; 0 for crypt values
    };
    const Row rows[] = {
        {PasswordScheme::sha512_crypt, "{CRYPT}$6$", 0},
        {PasswordScheme::sha256_crypt, "{CRYPT}$5$", 0},
        // yescrypt and bcrypt: libxcrypt 4.4.33 (Debian 12) has both.
        {PasswordScheme::yescrypt, "{CRYPT}$y$", 0},
        {PasswordScheme::bcrypt, "{CRYPT}$2b$", 0},
        {PasswordScheme::ssha512, "{SSHA512}", 64 + 16},
        {PasswordScheme::ssha256, "{SSHA256}", 32 + 16},
        {PasswordScheme::ssha, "{SSHA}", 20 + 16},
    };
    const std::string password = "correct horse b\xc3\xa4ttery staple";
    for (const Row& r : rows) {
        CAPTURE(vmaildir::to_string(r.scheme).data());
        const auto first = hash_password(password, r.scheme);
        const auto second = hash_password(password, r.scheme);
        REQUIRE(first);
        REQUIRE(second);
        CHECK(first->rfind(r.prefix, 0) == 0);
        CHECK(*first != *second);
        CHECK(verify_password(*first, password, false) == PasswordCheck::match);
        CHECK(verify_password(*second, password, false) == PasswordCheck::match);
        CHECK(verify_password(*first, "correct horse battery staple", false) ==
              PasswordCheck::mismatch);
        CHECK(verify_password(*first, "", false) == PasswordCheck::mismatch);
        if (r.decoded_size != 0) {
            const auto raw = vmaildir::util::base64_decode(
                std::string_view(*first).substr(std::string_view(r.prefix).size()));
            REQUIRE(raw);
            CHECK(raw->size() == r.decoded_size);
        }
        // Nothing for a password that could never verify.
        CHECK_FALSE(hash_password("", r.scheme));
    }
}

TEST_CASE("password: NUL bytes in a new password") {
    // crypt(3) takes C strings: refuse rather than silently hash a prefix.
    CHECK_FALSE(hash_password("ab\0cd"s, PasswordScheme::sha512_crypt));
    // Digest schemes hash every byte.
    const auto h = hash_password("ab\0cd"s, PasswordScheme::ssha256);
    REQUIRE(h);
    CHECK(verify_password(*h, "ab\0cd"s, false) == PasswordCheck::match);
    CHECK(verify_password(*h, "ab", false) == PasswordCheck::mismatch);
}

TEST_CASE("password: a new password longer than bcrypt reads") {
    // Found by the password_scheme fuzz harness: bcrypt reads 72 bytes, so an 80-byte password
    // was hashed in part and every password sharing its first 72 bytes verified.
    const std::string long_password(80, 'p');
    CHECK_FALSE(hash_password(long_password, PasswordScheme::bcrypt));
    const auto at_limit = hash_password(std::string(72, 'p'), PasswordScheme::bcrypt);
    REQUIRE(at_limit);
    CHECK(verify_password(*at_limit, std::string(72, 'p'), false) == PasswordCheck::match);
    // The other schemes read every byte.
    for (PasswordScheme scheme :
         {PasswordScheme::sha512_crypt, PasswordScheme::yescrypt, PasswordScheme::ssha512}) {
        const auto h = hash_password(long_password, scheme);
        REQUIRE(h);
        CHECK(verify_password(*h, long_password + "x", false) == PasswordCheck::mismatch);
    }
}

TEST_CASE("password: scheme names") {
    struct Row {
        std::string text;
        std::optional<PasswordScheme> expected;
    };
    const std::vector<Row> rows = {
        {"SHA512-CRYPT", PasswordScheme::sha512_crypt},
        {"sha512-crypt", PasswordScheme::sha512_crypt},
        {"SHA256-CRYPT", PasswordScheme::sha256_crypt},
        {"Sha256-Crypt", PasswordScheme::sha256_crypt},
        {"YESCRYPT", PasswordScheme::yescrypt},
        {"yescrypt", PasswordScheme::yescrypt},
        {"BCRYPT", PasswordScheme::bcrypt},
        {"bcrypt", PasswordScheme::bcrypt},
        {"SSHA512", PasswordScheme::ssha512},
        {"SSHA256", PasswordScheme::ssha256},
        {"ssha", PasswordScheme::ssha},
        {"", std::nullopt},
        {"SHA512", std::nullopt},
        {"SHA512_CRYPT", std::nullopt},
        {"CRYPT", std::nullopt},
        {"{SSHA}", std::nullopt},
        {"SMD5", std::nullopt},
        {"MD5", std::nullopt},
        {"CLEARTEXT", std::nullopt},
        {" SSHA", std::nullopt},
        {"SSHA ", std::nullopt},
        {"SSHA\0"s, std::nullopt},
    };
    for (const Row& r : rows) {
        CAPTURE(r.text);
        CHECK(vmaildir::parse_password_scheme(r.text) == r.expected);
    }

    const std::vector<std::string> names = vmaildir::password_scheme_names();
    CHECK(names.size() == 7);
    for (const std::string& name : names) {
        CAPTURE(name);
        const auto scheme = vmaildir::parse_password_scheme(name);
        REQUIRE(scheme);
        CHECK(vmaildir::to_string(*scheme) == name);
    }
}
