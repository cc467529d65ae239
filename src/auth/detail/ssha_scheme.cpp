// SSHA512: base64(SHA512(password + salt) + salt), the salted SHA-512 of Dovecot and
// OpenLDAP, through OpenSSL's EVP digest and base64 functions.
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <optional>
#include <string>

#include "auth/detail/schemes.hpp"

namespace correio::auth::detail {
namespace {

constexpr size_t kSaltLength = 16;

std::string base64_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

// Strict RFC 4648 §4 base64 with padding; nullopt for anything else.
std::optional<std::string> base64_decode(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0 || text.size() > (1 << 20)) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  size_t pad = text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string sha512(std::string_view a, std::string_view b) {
  std::string digest(SHA512_DIGEST_LENGTH, '\0');
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  bool ok = ctx && EVP_DigestInit_ex(ctx, EVP_sha512(), nullptr) == 1 &&
            EVP_DigestUpdate(ctx, a.data(), a.size()) == 1 &&
            EVP_DigestUpdate(ctx, b.data(), b.size()) == 1 &&
            EVP_DigestFinal_ex(ctx, reinterpret_cast<unsigned char*>(digest.data()), nullptr) == 1;
  EVP_MD_CTX_free(ctx);
  return ok ? digest : std::string();
}

}  // namespace

bool ssha512_verify(std::string_view base64, std::string_view plaintext) {
  auto raw = base64_decode(base64);
  if (!raw || raw->size() <= SHA512_DIGEST_LENGTH) return false;
  std::string_view stored(*raw);
  std::string digest = sha512(plaintext, stored.substr(SHA512_DIGEST_LENGTH));
  return !digest.empty() && constant_time_equal(digest, stored.substr(0, SHA512_DIGEST_LENGTH));
}

Result<std::string> ssha512_hash(std::string_view plaintext) {
  auto salt = random_bytes(kSaltLength);
  if (!salt) return salt.error();
  std::string digest = sha512(plaintext, *salt);
  if (digest.empty()) return Error{"SHA-512 failed"};
  return base64_encode(digest + *salt);
}

}  // namespace correio::auth::detail
