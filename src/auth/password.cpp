// Dovecot's password schemes: the "{SCHEME}" dispatch and PLAIN (see password.hpp).
#include "auth/password.hpp"

#include <openssl/sha.h>

#include <cctype>

#include "auth/detail/schemes.hpp"
#include "base/strings.hpp"

namespace correio::auth {
namespace {

enum class Family { plain, crypt, argon2i, argon2id, ssha512, scram_sha256, unknown };

struct Scheme {
  std::string_view name;
  Family family;
  const char* crypt_prefix;  // for hash_password
  unsigned long crypt_count;
};

constexpr Scheme kSchemes[] = {
    {"PLAIN", Family::plain, nullptr, 0},      {"CLEAR", Family::plain, nullptr, 0},
    {"CLEARTEXT", Family::plain, nullptr, 0},  {"CRYPT", Family::crypt, "$6$", 0},
    {"SHA512-CRYPT", Family::crypt, "$6$", 0}, {"SHA256-CRYPT", Family::crypt, "$5$", 0},
    {"BLF-CRYPT", Family::crypt, "$2y$", 10},  {"MD5-CRYPT", Family::crypt, "$1$", 0},
    {"ARGON2I", Family::argon2i, nullptr, 0},  {"ARGON2ID", Family::argon2id, nullptr, 0},
    {"SSHA512", Family::ssha512, nullptr, 0},  {"SCRAM-SHA-256", Family::scram_sha256, nullptr, 0},
};

const Scheme* find_scheme(std::string_view name) {
  for (const auto& s : kSchemes)
    if (base::iequals(s.name, name)) return &s;
  return nullptr;
}

// PLAIN compares digests, so the time taken says nothing about the stored length.
bool plain_equal(std::string_view stored, std::string_view plaintext) {
  unsigned char a[SHA256_DIGEST_LENGTH], b[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(stored.data()), stored.size(), a);
  SHA256(reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(), b);
  return detail::constant_time_equal(std::string_view(reinterpret_cast<const char*>(a), sizeof a),
                                     std::string_view(reinterpret_cast<const char*>(b), sizeof b));
}

}  // namespace

std::pair<std::string, std::string_view> split_password_scheme(std::string_view stored) {
  if (!stored.empty() && stored.front() == '{') {
    size_t close = stored.find('}');
    if (close != std::string_view::npos) {
      std::string scheme(stored.substr(1, close - 1));
      for (char& c : scheme) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return {std::move(scheme), stored.substr(close + 1)};
    }
  }
  return {"CRYPT", stored};
}

bool is_supported_password_scheme(std::string_view scheme) {
  return find_scheme(scheme) != nullptr;
}

bool verify_password(std::string_view stored, std::string_view plaintext) {
  auto [name, data] = split_password_scheme(stored);
  const Scheme* scheme = find_scheme(name);
  if (scheme == nullptr) return false;
  switch (scheme->family) {
    case Family::plain:
      return plain_equal(data, plaintext);
    case Family::crypt:
      return detail::crypt_verify(data, plaintext);
    case Family::argon2i:
      return detail::argon2_verify(data, plaintext, false);
    case Family::argon2id:
      return detail::argon2_verify(data, plaintext, true);
    case Family::ssha512:
      return detail::ssha512_verify(data, plaintext);
    case Family::scram_sha256:
      return detail::scram_sha256_verify(data, plaintext);
    case Family::unknown:
      break;
  }
  return false;
}

Result<std::string> hash_password(std::string_view scheme_name, std::string_view plaintext) {
  const Scheme* scheme = find_scheme(scheme_name);
  if (scheme == nullptr) return Error{"unknown password scheme: " + std::string(scheme_name)};
  std::string prefix = "{" + std::string(scheme->name) + "}";
  Result<std::string> data = Error{"unreachable"};
  switch (scheme->family) {
    case Family::plain:
      data = std::string(plaintext);
      break;
    case Family::crypt:
      data = detail::crypt_hash(scheme->crypt_prefix, scheme->crypt_count, plaintext);
      break;
    case Family::argon2i:
      data = detail::argon2_hash(plaintext, false);
      break;
    case Family::argon2id:
      data = detail::argon2_hash(plaintext, true);
      break;
    case Family::ssha512:
      data = detail::ssha512_hash(plaintext);
      break;
    case Family::scram_sha256:
      data = detail::scram_sha256_hash(plaintext);
      break;
    case Family::unknown:
      break;
  }
  if (!data) return data.error();
  return prefix + *data;
}

}  // namespace correio::auth
