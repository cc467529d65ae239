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
//
// Comparisons are constant-time. Stateless; thread-safe.
#pragma once

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

}  // namespace correio::auth
