// Dovecot's password schemes (https://doc.dovecot.org/configuration_manual/authentication/
// password_schemes/): a stored password is "{SCHEME}data"; without a prefix the scheme is
// CRYPT (Dovecot's default_pass_scheme). Supported:
//
//   PLAIN, CLEAR, CLEARTEXT       the password itself
//   CRYPT                         any crypt(3) hash libxcrypt knows ($6$, $5$, $2y$, $1$, DES)
//   SHA512-CRYPT, SHA256-CRYPT,   crypt(3) $6$ / $5$ / $2y$ / $1$
//   BLF-CRYPT, MD5-CRYPT
//   ARGON2I, ARGON2ID             libargon2's encoded form
//   "$argon2id$v=19$m=...,t=...,p=...$salt$hash" SSHA512 base64(SHA512(password + salt) + salt)
//   SCRAM-SHA-256                 Dovecot's "ITERATIONS,base64(salt),base64(StoredKey),
//                                 base64(ServerKey)" (RFC 5802 §3 keys over SHA-256); also
//                                 usable by the SCRAM-SHA-256 SASL mechanism without the password
//
// Comparisons are constant-time. Stateless; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/result.hpp"

namespace correio::auth {

// Splits "{SHA512-CRYPT}$6$..." into ("SHA512-CRYPT", "$6$..."); the scheme is uppercased.
// Without a "{...}" prefix: ("CRYPT", stored).
std::pair<std::string, std::string_view> split_password_scheme(std::string_view stored);

// Whether `scheme` (any case, without braces) is one of the schemes above.
bool is_supported_password_scheme(std::string_view scheme);

// True when `plaintext` matches `stored`. False for a wrong password, an unknown scheme, a
// malformed hash, or a plaintext with a NUL byte.
bool verify_password(std::string_view stored, std::string_view plaintext);

// "{SCHEME}..." for `plaintext` with a fresh random salt (OpenSSL RAND_bytes). CRYPT
// produces a SHA512-CRYPT hash (Dovecot's CRYPT would be DES, too weak to create today);
// BLF-CRYPT uses cost 10; ARGON2I/ARGON2ID use libsodium's "interactive" limits as Dovecot
// does (argon2i t=4 m=32 MiB, argon2id t=2 m=64 MiB). Fails for an unknown scheme.
Result<std::string> hash_password(std::string_view scheme, std::string_view plaintext);

// RFC 5802 §3 keys of one password for SCRAM-SHA-256 (RFC 7677); values are raw bytes.
struct ScramKeys {
  unsigned iterations = 0;
  std::string salt;
  std::string stored_key;  // H(ClientKey)
  std::string server_key;  // HMAC(SaltedPassword, "Server Key")
  // HMAC(SaltedPassword, "Client Key"): only a client knows it (derive_scram_sha256_keys
  // fills it; a stored password never has it).
  std::string client_key;
};
inline constexpr unsigned kScramDefaultIterations = 4096;  // Dovecot's default
inline constexpr unsigned kScramMaxIterations = 10'000'000;

// SaltedPassword = PBKDF2-HMAC-SHA-256(password, salt, iterations) and the keys from it.
ScramKeys derive_scram_sha256_keys(std::string_view password, std::string_view salt,
                                   unsigned iterations);
// Parses the data of a {SCRAM-SHA-256} password (without the prefix); nullopt if malformed
// (iterations outside 1..kScramMaxIterations, bad base64, keys not 32 bytes).
std::optional<ScramKeys> parse_scram_sha256(std::string_view data);

}  // namespace correio::auth
