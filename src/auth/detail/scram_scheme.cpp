// Dovecot's {SCRAM-SHA-256} password scheme: "ITERATIONS,SALT,STOREDKEY,SERVERKEY" with the
// RFC 5802 §3 keys over SHA-256 (RFC 7677), through OpenSSL's PBKDF2 and HMAC.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <string>

#include "auth/detail/schemes.hpp"
#include "auth/password.hpp"
#include "auth/saslprep.hpp"
#include "base/base64.hpp"
#include "base/strings.hpp"

namespace correio::auth {
namespace detail {
namespace {

constexpr size_t kSaltLength = 16;  // as Dovecot

std::string hmac(const EVP_MD* md, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (!HMAC(md, key.data(), static_cast<int>(key.size()),
            reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &length))
    return {};
  return std::string(reinterpret_cast<const char*>(out), length);
}

}  // namespace

std::string sha256(std::string_view data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return std::string(reinterpret_cast<const char*>(out), sizeof out);
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  return hmac(EVP_sha256(), key, data);
}

std::string hmac_md5(std::string_view key, std::string_view data) {
  return hmac(EVP_md5(), key, data);
}

bool scram_sha256_verify(std::string_view data, std::string_view plaintext) {
  auto keys = parse_scram_sha256(data);
  if (!keys) return false;
  // RFC 5802 §2.2: the keys are of the SASLprep'ed password; a hash made without SASLprep
  // (Dovecot's doveadm pw does not prepare) still matches the password as typed.
  std::string prepared = scram_password(plaintext);
  ScramKeys mine = derive_scram_sha256_keys(prepared, keys->salt, keys->iterations);
  if (constant_time_equal(mine.stored_key, keys->stored_key)) return true;
  if (prepared == plaintext) return false;
  mine = derive_scram_sha256_keys(plaintext, keys->salt, keys->iterations);
  return constant_time_equal(mine.stored_key, keys->stored_key);
}

Result<std::string> scram_sha256_hash(std::string_view plaintext) {
  auto salt = random_bytes(kSaltLength);
  if (!salt) return salt.error();
  // RFC 5802 §2.2: Hi(Normalize(password), ...), so that SCRAM clients, which prepare the
  // password, match.
  ScramKeys keys =
      derive_scram_sha256_keys(scram_password(plaintext), *salt, kScramDefaultIterations);
  if (keys.stored_key.empty()) return Error{"PBKDF2 failed"};
  return std::to_string(keys.iterations) + "," + base::base64_encode(keys.salt) + "," +
         base::base64_encode(keys.stored_key) + "," + base::base64_encode(keys.server_key);
}

}  // namespace detail

// RFC 5802 §3: SaltedPassword := Hi(password, salt, i) (PBKDF2 with HMAC as PRF),
// ClientKey := HMAC(SaltedPassword, "Client Key"), StoredKey := H(ClientKey),
// ServerKey := HMAC(SaltedPassword, "Server Key").
ScramKeys derive_scram_sha256_keys(std::string_view password, std::string_view salt,
                                   unsigned iterations) {
  ScramKeys keys;
  keys.iterations = iterations;
  keys.salt = std::string(salt);
  unsigned char salted[SHA256_DIGEST_LENGTH];
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        sizeof salted, salted) != 1)
    return keys;
  std::string_view salted_password(reinterpret_cast<const char*>(salted), sizeof salted);
  keys.client_key = detail::hmac_sha256(salted_password, "Client Key");
  keys.stored_key = detail::sha256(keys.client_key);
  keys.server_key = detail::hmac_sha256(salted_password, "Server Key");
  return keys;
}

std::optional<ScramKeys> parse_scram_sha256(std::string_view data) {
  auto fields = base::split_any(data, ",");
  if (fields.size() != 4) return std::nullopt;
  auto iterations = base::parse_int(fields[0]);
  if (!iterations || *iterations < 1 || *iterations > kScramMaxIterations) return std::nullopt;
  auto salt = base::base64_decode(fields[1]);
  auto stored = base::base64_decode(fields[2]);
  auto server = base::base64_decode(fields[3]);
  if (!salt || salt->empty() || !stored || !server || stored->size() != SHA256_DIGEST_LENGTH ||
      server->size() != SHA256_DIGEST_LENGTH)
    return std::nullopt;
  return ScramKeys{static_cast<unsigned>(*iterations), *salt, *stored, *server, {}};
}

}  // namespace correio::auth
