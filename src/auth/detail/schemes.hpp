// Private to correio_auth: one function pair per family of password schemes, called by
// password.cpp's dispatch. Stateless; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::auth::detail {

// Equal lengths and equal bytes, in time that depends only on the lengths.
bool constant_time_equal(std::string_view a, std::string_view b);
Result<std::string> random_bytes(size_t n);

// crypt(3) via libxcrypt's crypt_r / crypt_gensalt_rn. `prefix` is "$6$", "$5$", "$2y$", "$1$".
bool crypt_verify(std::string_view hash, std::string_view plaintext);
Result<std::string> crypt_hash(const char* prefix, unsigned long count, std::string_view plaintext);

// libargon2's encoded strings; `id` picks Argon2id over Argon2i.
bool argon2_verify(std::string_view encoded, std::string_view plaintext, bool id);
Result<std::string> argon2_hash(std::string_view plaintext, bool id);

// SSHA512: base64(SHA512(password + salt) + salt).
bool ssha512_verify(std::string_view base64, std::string_view plaintext);
Result<std::string> ssha512_hash(std::string_view plaintext);

// SHA-256 and HMAC-SHA-256 through OpenSSL, raw 32-byte results (SCRAM, CRAM-MD5's cousin).
std::string sha256(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);
std::string hmac_md5(std::string_view key, std::string_view data);

// SCRAM-SHA-256: Dovecot's "ITERATIONS,SALT,STOREDKEY,SERVERKEY" (base64 fields).
bool scram_sha256_verify(std::string_view data, std::string_view plaintext);
Result<std::string> scram_sha256_hash(std::string_view plaintext);

}  // namespace correio::auth::detail
