// ARGON2I and ARGON2ID through libargon2 (the reference implementation), in its encoded
// form "$argon2id$v=19$m=65536,t=2,p=1$SALT$HASH" as Dovecot stores it.
#include <argon2.h>

#include <string>

#include "auth/detail/schemes.hpp"

namespace correio::auth::detail {
namespace {

// libsodium's crypto_pwhash_*_INTERACTIVE limits, which Dovecot uses.
constexpr uint32_t kArgon2iTime = 4, kArgon2iMemoryKiB = 32 * 1024;
constexpr uint32_t kArgon2idTime = 2, kArgon2idMemoryKiB = 64 * 1024;
constexpr uint32_t kParallelism = 1;
constexpr size_t kSaltLength = 16, kHashLength = 32;

}  // namespace

bool argon2_verify(std::string_view encoded, std::string_view plaintext, bool id) {
  if (encoded.find('\0') != std::string_view::npos) return false;
  std::string e(encoded);
  return ::argon2_verify(e.c_str(), plaintext.data(), plaintext.size(),
                         id ? Argon2_id : Argon2_i) == ARGON2_OK;
}

Result<std::string> argon2_hash(std::string_view plaintext, bool id) {
  auto salt = random_bytes(kSaltLength);
  if (!salt) return salt.error();
  uint32_t t = id ? kArgon2idTime : kArgon2iTime;
  uint32_t m = id ? kArgon2idMemoryKiB : kArgon2iMemoryKiB;
  argon2_type type = id ? Argon2_id : Argon2_i;
  std::string encoded(argon2_encodedlen(t, m, kParallelism, kSaltLength, kHashLength, type), '\0');
  int rc = argon2_hash(t, m, kParallelism, plaintext.data(), plaintext.size(), salt->data(),
                       salt->size(), nullptr, kHashLength, encoded.data(), encoded.size(), type,
                       ARGON2_VERSION_13);
  if (rc != ARGON2_OK) return Error{std::string("argon2: ") + argon2_error_message(rc)};
  encoded.resize(encoded.find('\0'));
  return encoded;
}

}  // namespace correio::auth::detail
