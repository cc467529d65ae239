// Dovecot password schemes: fixed vectors made with `openssl passwd`, Python's crypt
// (libxcrypt), the OpenWall bcrypt test vector and libargon2's own test vectors; then
// hash -> verify round trips for every scheme.
#include <gtest/gtest.h>

#include <string>

#include "auth/password.hpp"

using namespace correio::auth;

TEST(PasswordScheme, SplitsThePrefix) {
  auto [scheme, data] = split_password_scheme("{sha512-crypt}$6$x");
  EXPECT_EQ(scheme, "SHA512-CRYPT");
  EXPECT_EQ(data, "$6$x");
  auto [def, raw] = split_password_scheme("$6$x");
  EXPECT_EQ(def, "CRYPT");
  EXPECT_EQ(raw, "$6$x");
  EXPECT_TRUE(is_supported_password_scheme("blf-crypt"));
  EXPECT_FALSE(is_supported_password_scheme("MD4"));
}

TEST(PasswordVerify, Plain) {
  EXPECT_TRUE(verify_password("{PLAIN}secret", "secret"));
  EXPECT_TRUE(verify_password("{CLEAR}secret", "secret"));
  EXPECT_TRUE(verify_password("{CLEARTEXT}secret", "secret"));
  EXPECT_FALSE(verify_password("{PLAIN}secret", "Secret"));
  EXPECT_FALSE(verify_password("{PLAIN}secret", "secret "));
  EXPECT_FALSE(verify_password("{PLAIN}secret", ""));
}

// openssl passwd -6 -salt saltsalt secret
constexpr const char* kSha512 =
    "$6$saltsalt$TVLlQcbpFVof5W3Yz4DTP6gRstiNuHwwTt6GLc1E5n0U0aDehy0S5knV8wiOQSpT0Y77vwPZN.Pq."
    "H91p5hVO1";
// openssl passwd -5 -salt saltsalt secret
constexpr const char* kSha256 = "$5$saltsalt$0IyaXrmV7.sGNS6tirgqHLqX/G.FBvgkYA.lpPdS5sA";

TEST(PasswordVerify, Sha512AndSha256Crypt) {
  EXPECT_TRUE(verify_password(std::string("{SHA512-CRYPT}") + kSha512, "secret"));
  EXPECT_FALSE(verify_password(std::string("{SHA512-CRYPT}") + kSha512, "secreT"));
  EXPECT_TRUE(verify_password(std::string("{SHA256-CRYPT}") + kSha256, "secret"));
  EXPECT_FALSE(verify_password(std::string("{SHA256-CRYPT}") + kSha256, "wrong"));
  // No prefix: Dovecot's default scheme CRYPT, which takes any crypt(3) hash.
  EXPECT_TRUE(verify_password(kSha512, "secret"));
  EXPECT_TRUE(verify_password(std::string("{CRYPT}") + kSha256, "secret"));
  EXPECT_FALSE(verify_password(kSha512, "wrong"));
}

TEST(PasswordVerify, BlowfishCrypt) {
  // OpenWall's crypt_blowfish test vector.
  EXPECT_TRUE(verify_password(
      "{BLF-CRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*U"));
  EXPECT_FALSE(verify_password(
      "{BLF-CRYPT}$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", "U*V"));
  // python3 -c 'import crypt; print(crypt.crypt("secret", "$2b$05$abcdefghijklmnopqrstuu"))'
  EXPECT_TRUE(verify_password(
      "{BLF-CRYPT}$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a", "secret"));
}

TEST(PasswordVerify, Argon2ReferenceVectors) {
  // libargon2's src/test.c: password "password", salt "somesalt", m=2^16, t=2, p=1.
  const char* i =
      "{ARGON2I}$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$wWKIMhR9lyDFvRz9YTZweHKfbftvj+qf+"
      "YFY4NeBbtA";
  const char* id =
      "{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$"
      "CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
  EXPECT_TRUE(verify_password(i, "password"));
  EXPECT_FALSE(verify_password(i, "passwore"));
  EXPECT_TRUE(verify_password(id, "password"));
  EXPECT_FALSE(verify_password(id, "passwore"));
  // The encoded type must match the scheme.
  EXPECT_FALSE(verify_password(std::string("{ARGON2I}") + (id + 10), "password"));
}

TEST(PasswordVerify, Ssha512) {
  // base64(SHA512("secret" + 01..08) + 01..08), made with Python's hashlib.
  const char* stored =
      "{SSHA512}KO8EsMPQTwZrxxbOkDAOOXEeVCc2grMQg1pnZwZhC1bBQLby8zCmFn7qTZRvoTd+"
      "yQdROQQNYHWpTUST4zjTdQ"
      "ECAwQFBgcI";
  EXPECT_TRUE(verify_password(stored, "secret"));
  EXPECT_FALSE(verify_password(stored, "secrets"));
  EXPECT_FALSE(verify_password("{SSHA512}", "secret"));
  EXPECT_FALSE(verify_password("{SSHA512}not base64!", "secret"));
  EXPECT_FALSE(verify_password("{SSHA512}AAAA", "secret"));  // shorter than a digest
}

TEST(PasswordVerify, MalformedAndUnknownNeverMatch) {
  EXPECT_FALSE(verify_password("{MD4}abc", "abc"));
  EXPECT_FALSE(verify_password("", ""));
  EXPECT_FALSE(verify_password("{CRYPT}", ""));
  EXPECT_FALSE(verify_password("{SHA512-CRYPT}$6$", "secret"));
  EXPECT_FALSE(verify_password("{ARGON2ID}$argon2id$garbage", "secret"));
  EXPECT_FALSE(
      verify_password(std::string("{SHA512-CRYPT}") + kSha512, std::string("secret\0x", 8)));
  // A crypt "hash" that is only a setting with no hash part must not match.
  EXPECT_FALSE(verify_password("{CRYPT}$6$saltsalt$", "secret"));
}

class PasswordRoundTrip : public ::testing::TestWithParam<const char*> {};

TEST_P(PasswordRoundTrip, HashThenVerify) {
  auto hashed = hash_password(GetParam(), "correct horse");
  ASSERT_TRUE(hashed.ok()) << hashed.error().message;
  EXPECT_EQ(hashed->rfind(std::string("{") + GetParam() + "}", 0), 0u) << *hashed;
  EXPECT_TRUE(verify_password(*hashed, "correct horse")) << *hashed;
  EXPECT_FALSE(verify_password(*hashed, "correct horsE")) << *hashed;
  auto again = hash_password(GetParam(), "correct horse");
  ASSERT_TRUE(again.ok());
  if (std::string(GetParam()) != "PLAIN") {
    EXPECT_NE(*hashed, *again) << "salt not random";
  }
}

INSTANTIATE_TEST_SUITE_P(AllSchemes, PasswordRoundTrip,
                         ::testing::Values("PLAIN", "CRYPT", "SHA512-CRYPT", "SHA256-CRYPT",
                                           "BLF-CRYPT", "MD5-CRYPT", "ARGON2I", "ARGON2ID",
                                           "SSHA512", "SCRAM-SHA-256"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

TEST(PasswordHash, Shapes) {
  EXPECT_EQ(hash_password("SHA512-CRYPT", "x")->rfind("{SHA512-CRYPT}$6$", 0), 0u);
  EXPECT_EQ(hash_password("BLF-CRYPT", "x")->rfind("{BLF-CRYPT}$2y$10$", 0), 0u);
  EXPECT_EQ(hash_password("ARGON2ID", "x")->rfind("{ARGON2ID}$argon2id$v=19$m=65536,t=2,p=1$", 0),
            0u);
  EXPECT_FALSE(hash_password("MD4", "x").ok());
  EXPECT_FALSE(hash_password("SHA512-CRYPT", std::string("a\0b", 3)).ok());
}
