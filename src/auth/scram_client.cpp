// SCRAM-SHA-256 for clients (see scram_client.hpp); the server side is sasl_scram.cpp.
#include "auth/scram_client.hpp"

#include <fmt/format.h>

#include "auth/detail/schemes.hpp"
#include "auth/saslprep.hpp"
#include "base/base64.hpp"

namespace correio::auth {
namespace {

// RFC 5802 §5.1: in a saslname "," is "=2C" and "=" is "=3D".
std::string encode_saslname(std::string_view name) {
  std::string out;
  for (char c : name) {
    if (c == ',')
      out += "=2C";
    else if (c == '=')
      out += "=3D";
    else
      out += c;
  }
  return out;
}

// The value of attribute `key` ("r", "s", "i", "v", "e") in "a=1,b=2"; nullopt if absent.
std::optional<std::string_view> attribute(std::string_view message, char key) {
  size_t pos = 0;
  while (pos <= message.size()) {
    size_t comma = message.find(',', pos);
    std::string_view item = message.substr(pos, comma == message.npos ? message.npos : comma - pos);
    if (item.size() >= 2 && item[0] == key && item[1] == '=') return item.substr(2);
    if (comma == message.npos) break;
    pos = comma + 1;
  }
  return std::nullopt;
}

// RFC 7677 §4: a client SHOULD refuse fewer iterations than 4096.
constexpr long long kMinIterations = 4096;

}  // namespace

ScramClient::ScramClient(std::string user, std::string password, std::string nonce)
    : user_(std::move(user)), password_(std::move(password)), nonce_(std::move(nonce)) {}

void ScramClient::bind_channel(std::string type, std::string data) {
  gs2_header_ = "p=" + type + ",,";
  binding_data_ = std::move(data);
}

Result<std::string> ScramClient::first() {
  // RFC 5802 §5.1: the user name is prepared as a query string before it is sent.
  auto user = saslprep(user_);
  if (!user) return Error{"user name not valid for SCRAM: " + user.error().message};
  if (nonce_.empty()) {
    auto bytes = detail::random_bytes(24);
    if (!bytes) return Error{"no random bytes for a SCRAM nonce: " + bytes.error().message};
    nonce_ = base::base64_encode(*bytes);
  }
  client_first_bare_ = "n=" + encode_saslname(*user) + ",r=" + nonce_;
  return gs2_header_ + client_first_bare_;
}

Result<std::string> ScramClient::final(std::string_view server_first) {
  if (auto e = attribute(server_first, 'e')) return Error{fmt::format("server error \"{}\"", *e)};
  auto nonce = attribute(server_first, 'r');
  auto salt64 = attribute(server_first, 's');
  auto count = attribute(server_first, 'i');
  if (!nonce || !salt64 || !count || !server_first.starts_with("r="))
    return Error{"malformed server-first-message"};
  // RFC 5802 §5.1: the server appends its part to our nonce.
  if (nonce->size() <= nonce_.size() || !nonce->starts_with(nonce_))
    return Error{"server nonce does not extend the client nonce"};
  auto salt = base::base64_decode(*salt64);
  if (!salt || salt->empty()) return Error{"malformed salt"};
  long long iterations = 0;
  for (char c : *count) {
    if (c < '0' || c > '9' || iterations > kScramMaxIterations) return Error{"bad iteration count"};
    iterations = iterations * 10 + (c - '0');
  }
  if (iterations < kMinIterations || iterations > kScramMaxIterations)
    return Error{fmt::format("iteration count {} out of range", iterations)};

  // RFC 5802 §2.2: SaltedPassword := Hi(Normalize(password), salt, i).
  auto password = saslprep(password_);
  if (!password) return Error{"password not valid for SCRAM: " + password.error().message};
  ScramKeys keys = derive_scram_sha256_keys(*password, *salt, static_cast<unsigned>(iterations));
  if (keys.client_key.empty()) return Error{"PBKDF2 failed"};
  // RFC 5802 §3: ClientProof := ClientKey XOR HMAC(StoredKey, AuthMessage); §7: c= is
  // base64 of the gs2 header and, for -PLUS, the channel's binding data.
  std::string without_proof =
      "c=" + base::base64_encode(gs2_header_ + binding_data_) + ",r=" + std::string(*nonce);
  auth_message_ = client_first_bare_ + "," + std::string(server_first) + "," + without_proof;
  std::string proof = keys.client_key;
  std::string signature = detail::hmac_sha256(keys.stored_key, auth_message_);
  for (size_t i = 0; i < proof.size() && i < signature.size(); ++i)
    proof[i] = static_cast<char>(proof[i] ^ signature[i]);
  server_key_ = keys.server_key;
  return without_proof + ",p=" + base::base64_encode(proof);
}

Status ScramClient::verify(std::string_view server_final) const {
  if (auto e = attribute(server_final, 'e')) return Error{fmt::format("server error \"{}\"", *e)};
  auto v = attribute(server_final, 'v');
  if (!v || server_key_.empty()) return Error{"malformed server-final-message"};
  auto signature = base::base64_decode(*v);
  std::string expected = detail::hmac_sha256(server_key_, auth_message_);
  if (!signature || !detail::constant_time_equal(*signature, expected))
    return Error{"server signature mismatch"};
  return {};
}

}  // namespace correio::auth
