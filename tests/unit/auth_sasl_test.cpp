// SASL mechanisms: PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256 (RFC 7677 §3's test vector) and
// SCRAM-SHA-256-PLUS channel binding, and the {SCRAM-SHA-256} password scheme.
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <map>

#include "auth/detail/schemes.hpp"
#include "auth/password.hpp"
#include "auth/sasl.hpp"
#include "base/base64.hpp"

namespace correio::auth {
namespace {

using Kind = SaslStep::Kind;
using Failure = SaslStep::Failure;

class MemoryDirectory : public UserDirectory {
 public:
  void add(std::string user, std::string password) {
    UserRecord r;
    r.user = user;
    r.password = std::move(password);
    users_[user] = r;
  }
  Result<std::optional<UserRecord>> lookup(std::string_view user) override {
    ++lookups;
    if (broken) return Error{"cannot read"};
    auto it = users_.find(std::string(user));
    if (it == users_.end()) return std::optional<UserRecord>();
    return std::optional<UserRecord>(it->second);
  }
  bool broken = false;
  int lookups = 0;

 private:
  std::map<std::string, UserRecord> users_;
};

struct Fixture {
  MemoryDirectory directory;
  SaslAuthenticator auth{directory, {}};
  SaslOffer offer;
  Fixture() {
    offer.tls_active = true;
    offer.configured.cram_md5 = true;
    directory.add("alice@example.org", "{PLAIN}secret");
    directory.add("bob@example.org", *hash_password("SHA512-CRYPT", "hunter2"));
  }
};

std::string plain(std::string_view authzid, std::string_view authcid, std::string_view pw) {
  std::string out(authzid);
  out += '\0';
  out += authcid;
  out += '\0';
  out += pw;
  return out;
}

TEST(Base64, RoundTripAndStrictness) {
  EXPECT_EQ(base::base64_encode(""), "");
  EXPECT_EQ(base::base64_encode("f"), "Zg==");
  EXPECT_EQ(base::base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base::base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base::base64_decode("Zm9vYg=="), "foob");
  EXPECT_EQ(base::base64_decode(""), "");
  EXPECT_FALSE(base::base64_decode("Zm9"));         // length
  EXPECT_FALSE(base::base64_decode("Zm=v"));        // '=' inside
  EXPECT_FALSE(base::base64_decode("Zh=="));        // stray bits under padding
  EXPECT_FALSE(base::base64_decode("Zm9v\r\nYg"));  // whitespace
  EXPECT_FALSE(base::base64_decode("===="));
}

TEST(SaslOffer, DependsOnTlsAndSettings) {
  SaslOffer offer;
  EXPECT_EQ(offered_mechanism_list(offer), "SCRAM-SHA-256 PLAIN LOGIN");
  offer.allow_plaintext = false;
  EXPECT_EQ(offered_mechanism_list(offer), "SCRAM-SHA-256");
  offer.tls_active = true;
  EXPECT_EQ(offered_mechanism_list(offer), "SCRAM-SHA-256");  // no binding data
  offer.bindings.tls_server_end_point = std::string(32, 'x');
  offer.configured.cram_md5 = true;
  EXPECT_EQ(offered_mechanism_list(offer), "SCRAM-SHA-256-PLUS SCRAM-SHA-256 CRAM-MD5");
  EXPECT_EQ(parse_sasl_mechanism("scram-sha-256-plus"), SaslMechanism::scram_sha_256_plus);
  EXPECT_FALSE(parse_sasl_mechanism("GSSAPI"));
}

TEST(SaslOffer, OnlyWhatAuthMechanismsNames) {
  auto configured = parse_auth_mechanisms({"PLAIN", "scram-sha-256"});
  ASSERT_TRUE(configured);
  SaslOffer offer;
  offer.configured = *configured;
  EXPECT_EQ(offered_mechanism_list(offer), "SCRAM-SHA-256 PLAIN");  // no LOGIN
  offer.tls_active = true;
  offer.bindings.tls_server_end_point = std::string(32, 'x');
  EXPECT_EQ(offered_mechanism_list(offer), "SCRAM-SHA-256 PLAIN");  // no -PLUS either
  auto bad = parse_auth_mechanisms({"plain", "gssapi"});
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("gssapi"), std::string::npos);
}

TEST(SaslPlain, InitialResponseSucceeds) {
  Fixture f;
  auto x = f.auth.start(SaslMechanism::plain, f.offer);
  ASSERT_TRUE(x);
  SaslStep s = x->step(plain("", "alice@example.org", "secret"));
  EXPECT_EQ(s.kind, Kind::success);
  EXPECT_EQ(x->username(), "alice@example.org");
}

TEST(SaslPlain, EmptyChallengeThenCredentials) {
  Fixture f;
  auto x = f.auth.start(SaslMechanism::plain, f.offer);
  SaslStep s = x->step(std::nullopt);
  ASSERT_EQ(s.kind, Kind::challenge);
  EXPECT_EQ(s.data, "");
  s = x->step(plain("bob@example.org", "bob@example.org", "hunter2"));
  EXPECT_EQ(s.kind, Kind::success);
}

TEST(SaslPlain, WrongPasswordAndUnknownUserLookAlike) {
  Fixture f;
  SaslStep wrong =
      f.auth.start(SaslMechanism::plain, f.offer)->step(plain("", "bob@example.org", "x"));
  SaslStep unknown =
      f.auth.start(SaslMechanism::plain, f.offer)->step(plain("", "eve@example.org", "x"));
  EXPECT_EQ(wrong.kind, Kind::failure);
  EXPECT_EQ(wrong.failure, Failure::credentials);
  EXPECT_EQ(unknown.kind, Kind::failure);
  EXPECT_EQ(unknown.failure, Failure::credentials);
  // The reason goes to the mail log only (Dovecot's "unknown user" / "Password mismatch"
  // lines for auth_verbose); clients get the same reply for both.
  EXPECT_FALSE(wrong.reason.empty());
  EXPECT_FALSE(unknown.reason.empty());
}

TEST(SaslPlain, AuthorizationIdentityMustEqualLogin) {
  Fixture f;
  SaslStep s = f.auth.start(SaslMechanism::plain, f.offer)
                   ->step(plain("bob@example.org", "alice@example.org", "secret"));
  EXPECT_EQ(s.failure, Failure::authorization);
}

TEST(SaslPlain, MalformedAndTemporary) {
  Fixture f;
  EXPECT_EQ(f.auth.start(SaslMechanism::plain, f.offer)->step("no-nuls").failure,
            Failure::malformed);
  f.directory.broken = true;
  EXPECT_EQ(f.auth.start(SaslMechanism::plain, f.offer)
                ->step(plain("", "alice@example.org", "secret"))
                .failure,
            Failure::temporary);
}

TEST(SaslPlain, NotOfferedWithoutPlaintext) {
  Fixture f;
  f.offer.allow_plaintext = false;
  EXPECT_FALSE(f.auth.start(SaslMechanism::plain, f.offer));
  EXPECT_FALSE(f.auth.start(SaslMechanism::login, f.offer));
}

TEST(SaslLogin, UsernameAndPasswordChallenges) {
  Fixture f;
  auto x = f.auth.start(SaslMechanism::login, f.offer);
  SaslStep s = x->step(std::nullopt);
  ASSERT_EQ(s.kind, Kind::challenge);
  EXPECT_EQ(s.data, "Username:");
  s = x->step("alice@example.org");
  ASSERT_EQ(s.kind, Kind::challenge);
  EXPECT_EQ(s.data, "Password:");
  EXPECT_EQ(x->step("secret").kind, Kind::success);
  EXPECT_EQ(x->step("again").kind, Kind::failure);  // finished
}

TEST(SaslLogin, InitialResponseIsTheUser) {
  Fixture f;
  auto x = f.auth.start(SaslMechanism::login, f.offer);
  SaslStep s = x->step("alice@example.org");
  ASSERT_EQ(s.data, "Password:");
  s = x->step("wrong");
  EXPECT_EQ(s.failure, Failure::credentials);
  EXPECT_EQ(x->attempted_username(), "alice@example.org");
}

TEST(SaslCramMd5, Rfc2195Exchange) {
  Fixture f;
  auto x = f.auth.start(SaslMechanism::cram_md5, f.offer);
  SaslStep s = x->step(std::nullopt);
  ASSERT_EQ(s.kind, Kind::challenge);
  ASSERT_TRUE(s.data.starts_with("<") && s.data.ends_with("@localhost>"));
  std::string digest;
  for (unsigned char c : detail::hmac_md5("secret", s.data)) {
    static constexpr char hex[] = "0123456789abcdef";
    digest += hex[c >> 4];
    digest += hex[c & 15];
  }
  EXPECT_EQ(x->step("alice@example.org " + digest).kind, Kind::success);
  // A hashed password cannot do CRAM-MD5: same failure as unknown.
  auto y = f.auth.start(SaslMechanism::cram_md5, f.offer);
  y->step(std::nullopt);
  EXPECT_EQ(y->step("bob@example.org " + digest).failure, Failure::credentials);
}

TEST(SaslCramMd5, OffOnlyWhenNotConfigured) {
  Fixture f;
  f.offer.configured.cram_md5 = false;
  EXPECT_FALSE(f.auth.start(SaslMechanism::cram_md5, f.offer));
}

TEST(ScramScheme, HashAndVerify) {
  auto stored = hash_password("SCRAM-SHA-256", "pencil");
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->starts_with("{SCRAM-SHA-256}4096,"));
  EXPECT_TRUE(verify_password(*stored, "pencil"));
  EXPECT_FALSE(verify_password(*stored, "pen"));
  EXPECT_FALSE(verify_password("{SCRAM-SHA-256}4096,bad", "pencil"));
}

// RFC 7677 §3: user "user", password "pencil".
std::string rfc7677_stored() {
  auto salt = base::base64_decode("W22ZaJ0SNY7soEsUEjb6gQ==");
  ScramKeys k = derive_scram_sha256_keys("pencil", *salt, 4096);
  return "{SCRAM-SHA-256}4096,W22ZaJ0SNY7soEsUEjb6gQ==," + base::base64_encode(k.stored_key) + "," +
         base::base64_encode(k.server_key);
}

SaslAuthenticator::Options rfc7677_options() {
  SaslAuthenticator::Options o;
  o.fixed_nonce = "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
  return o;
}

TEST(SaslScram, Rfc7677TestVector) {
  MemoryDirectory directory;
  directory.add("user", rfc7677_stored());
  SaslAuthenticator auth(directory, rfc7677_options());
  auto x = auth.start(SaslMechanism::scram_sha_256, SaslOffer{});
  ASSERT_TRUE(x);
  SaslStep s = x->step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  ASSERT_EQ(s.kind, Kind::challenge) << s.reason;
  EXPECT_EQ(s.data,
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,"
            "i=4096");
  s = x->step(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  ASSERT_EQ(s.kind, Kind::challenge) << s.reason;
  EXPECT_EQ(s.data, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
  s = x->step("");
  EXPECT_EQ(s.kind, Kind::success);
  EXPECT_EQ(x->username(), "user");
}

TEST(SaslScram, WrongProofFails) {
  MemoryDirectory directory;
  directory.add("user", rfc7677_stored());
  SaslAuthenticator auth(directory, rfc7677_options());
  auto x = auth.start(SaslMechanism::scram_sha_256, SaslOffer{});
  x->step("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
  SaslStep s = x->step(
      "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
      "p=AHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
  EXPECT_EQ(s.failure, Failure::credentials);
}

// A minimal SCRAM client to drive the server with arbitrary passwords and bindings.
std::string client_final(std::string_view password, std::string_view gs2_binding,
                         std::string_view client_first_bare, std::string_view server_first) {
  std::string nonce, salt_b64;
  unsigned iterations = 0;
  std::string part(server_first);
  size_t r = part.find("r="), s = part.find(",s="), i = part.find(",i=");
  nonce = part.substr(r + 2, s - r - 2);
  salt_b64 = part.substr(s + 3, i - s - 3);
  iterations = static_cast<unsigned>(std::stoul(part.substr(i + 3)));
  std::string without_proof = "c=" + base::base64_encode(gs2_binding) + ",r=" + nonce;
  std::string auth_message =
      std::string(client_first_bare) + "," + std::string(server_first) + "," + without_proof;
  // ClientKey = HMAC(SaltedPassword, "Client Key"), computed as a client would.
  std::string salted(32, '\0');
  auto salt = *base::base64_decode(salt_b64);
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(), 32,
                    reinterpret_cast<unsigned char*>(salted.data()));
  std::string client_key = detail::hmac_sha256(salted, "Client Key");
  std::string signature = detail::hmac_sha256(detail::sha256(client_key), auth_message);
  for (size_t i = 0; i < client_key.size(); ++i) client_key[i] ^= signature[i];
  return without_proof + ",p=" + base::base64_encode(client_key);
}

TEST(SaslScram, PlainStoredPasswordWorks) {
  Fixture f;
  auto x = f.auth.start(SaslMechanism::scram_sha_256, f.offer);
  SaslStep s = x->step("n,,n=alice@example.org,r=abc");
  ASSERT_EQ(s.kind, Kind::challenge);
  s = x->step(client_final("secret", "n,,", "n=alice@example.org,r=abc", s.data));
  ASSERT_EQ(s.kind, Kind::challenge) << s.reason;
  EXPECT_TRUE(s.data.starts_with("v="));
  EXPECT_EQ(x->step("").kind, Kind::success);
}

TEST(SaslScram, UnknownUserGetsStableFakeSalt) {
  Fixture f;
  SaslStep a = f.auth.start(SaslMechanism::scram_sha_256, f.offer)->step("n,,n=eve,r=abc");
  SaslStep b = f.auth.start(SaslMechanism::scram_sha_256, f.offer)->step("n,,n=eve,r=abc");
  ASSERT_EQ(a.kind, Kind::challenge);
  auto salt = [](const std::string& s) { return s.substr(s.find(",s=")); };
  EXPECT_EQ(salt(a.data), salt(b.data));
  // A hashed (non-SCRAM) password behaves like an unknown user.
  auto x = f.auth.start(SaslMechanism::scram_sha_256, f.offer);
  SaslStep s = x->step("n,,n=bob@example.org,r=abc");
  ASSERT_EQ(s.kind, Kind::challenge);
  s = x->step(client_final("hunter2", "n,,", "n=bob@example.org,r=abc", s.data));
  EXPECT_EQ(s.failure, Failure::credentials);
}

TEST(SaslScram, PlusBindsToTheChannel) {
  Fixture f;
  f.offer.bindings.tls_server_end_point = std::string(32, '\x42');
  auto x = f.auth.start(SaslMechanism::scram_sha_256_plus, f.offer);
  ASSERT_TRUE(x);
  std::string gs2 = "p=tls-server-end-point,,";
  SaslStep s = x->step(gs2 + "n=alice@example.org,r=abc");
  ASSERT_EQ(s.kind, Kind::challenge) << s.reason;
  s = x->step(
      client_final("secret", gs2 + std::string(32, '\x42'), "n=alice@example.org,r=abc", s.data));
  ASSERT_EQ(s.kind, Kind::challenge) << s.reason;
  EXPECT_EQ(x->step("").kind, Kind::success);

  // Another channel's data (a man in the middle) fails.
  auto y = f.auth.start(SaslMechanism::scram_sha_256_plus, f.offer);
  s = y->step(gs2 + "n=alice@example.org,r=abc");
  s = y->step(
      client_final("secret", gs2 + std::string(32, '\x43'), "n=alice@example.org,r=abc", s.data));
  EXPECT_EQ(s.failure, Failure::credentials);
  // tls-exporter is not available here (e.g. TLS 1.2).
  auto z = f.auth.start(SaslMechanism::scram_sha_256_plus, f.offer);
  EXPECT_EQ(z->step("p=tls-exporter,,n=alice@example.org,r=abc").failure, Failure::malformed);
}

TEST(SaslScram, DowngradeAndFlagsChecked) {
  Fixture f;
  f.offer.bindings.tls_exporter = std::string(32, '\x01');
  // "y": the client could bind but thinks we cannot, though we offered -PLUS.
  EXPECT_EQ(f.auth.start(SaslMechanism::scram_sha_256, f.offer)->step("y,,n=a,r=b").failure,
            Failure::malformed);
  EXPECT_EQ(
      f.auth.start(SaslMechanism::scram_sha_256, f.offer)->step("p=tls-exporter,,n=a,r=b").failure,
      Failure::malformed);
  EXPECT_EQ(f.auth.start(SaslMechanism::scram_sha_256_plus, f.offer)->step("n,,n=a,r=b").failure,
            Failure::malformed);
  EXPECT_EQ(f.auth.start(SaslMechanism::scram_sha_256, f.offer)->step("n,,m=x,n=a,r=b").failure,
            Failure::malformed);
  EXPECT_EQ(f.auth.start(SaslMechanism::scram_sha_256, f.offer)
                ->step("n,a=bob@example.org,n=alice@example.org,r=b")
                .failure,
            Failure::authorization);
}

}  // namespace
}  // namespace correio::auth
