// The crypt(3) schemes (CRYPT, SHA512-CRYPT, SHA256-CRYPT, BLF-CRYPT, MD5-CRYPT) through
// libxcrypt's reentrant crypt_r and crypt_gensalt_rn, plus the shared helpers.
#include <crypt.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <memory>

#include "auth/detail/schemes.hpp"

namespace correio::auth::detail {

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Result<std::string> random_bytes(size_t n) {
  std::string out(n, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    return Error{"RAND_bytes failed"};
  return out;
}

namespace {

// crypt_data is about 32 KiB: keep it off the coroutine stacks, and wipe it afterwards
// (it holds key material).
struct CryptData {
  CryptData() : data(std::make_unique<crypt_data>()) {}
  ~CryptData() { OPENSSL_cleanse(data.get(), sizeof(crypt_data)); }
  std::unique_ptr<crypt_data> data;
};

}  // namespace

bool crypt_verify(std::string_view hash, std::string_view plaintext) {
  if (hash.empty() || plaintext.find('\0') != std::string_view::npos ||
      hash.find('\0') != std::string_view::npos)
    return false;
  std::string key(plaintext), setting(hash);
  CryptData cd;
  const char* out = crypt_r(key.c_str(), setting.c_str(), cd.data.get());
  OPENSSL_cleanse(key.data(), key.size());
  // libxcrypt returns NULL or a string starting with '*' for a setting it cannot use.
  if (out == nullptr || out[0] == '*') return false;
  return constant_time_equal(out, hash);
}

Result<std::string> crypt_hash(const char* prefix, unsigned long count,
                               std::string_view plaintext) {
  if (plaintext.find('\0') != std::string_view::npos)
    return Error{"password contains a NUL character"};
  auto random = random_bytes(16);
  if (!random) return random.error();
  char setting[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn(prefix, count, random->data(), static_cast<int>(random->size()), setting,
                       sizeof setting) == nullptr)
    return Error{std::string("crypt_gensalt failed for ") + prefix};
  std::string key(plaintext);
  CryptData cd;
  const char* out = crypt_r(key.c_str(), setting, cd.data.get());
  OPENSSL_cleanse(key.data(), key.size());
  if (out == nullptr || out[0] == '*') return Error{std::string("crypt failed for ") + prefix};
  return std::string(out);
}

}  // namespace correio::auth::detail
