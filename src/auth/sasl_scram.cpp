// SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 7677, RFC 5802) on the server side, with the
// channel bindings tls-exporter (RFC 9266) and tls-server-end-point (RFC 5929 §4).
// Keys come from {SCRAM-SHA-256} passwords directly or are derived from {PLAIN} ones.
#include <openssl/sha.h>

#include "auth/detail/sasl_internals.hpp"
#include "auth/detail/schemes.hpp"
#include "auth/saslprep.hpp"
#include "base/base64.hpp"
#include "base/strings.hpp"

namespace correio::auth {
namespace {

using Failure = SaslStep::Failure;

SaslStep challenge(std::string data) {
  return SaslStep{SaslStep::Kind::challenge, std::move(data), Failure::none, {}};
}
SaslStep failure(Failure why, std::string reason) {
  return SaslStep{SaslStep::Kind::failure, {}, why, std::move(reason)};
}

// RFC 5802 §5.1: saslname encodes ',' as "=2C" and '=' as "=3D"; any other '=' is an error.
std::optional<std::string> decode_saslname(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == ',') return std::nullopt;
    if (in[i] != '=') {
      out += in[i];
      continue;
    }
    std::string_view code = in.substr(i + 1, 2);
    if (code == "2C")
      out += ',';
    else if (code == "3D")
      out += '=';
    else
      return std::nullopt;
    i += 2;
  }
  return out;
}

// Splits "a=1,b=2" into attributes; nullopt when an element is not "x=..." (one letter).
std::optional<std::vector<std::pair<char, std::string_view>>> attributes(std::string_view text) {
  std::vector<std::pair<char, std::string_view>> out;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma == text.npos ? text.npos : comma - start);
    if (item.size() < 2 || item[1] != '=') return std::nullopt;
    out.emplace_back(item[0], item.substr(2));
    if (comma == text.npos) break;
    start = comma + 1;
  }
  return out;
}

// RFC 5802 §5.1: printable ASCII except ','.
bool valid_nonce(std::string_view nonce) {
  if (nonce.empty()) return false;
  for (char c : nonce)
    if (c < 0x21 || c > 0x7e || c == ',') return false;
  return true;
}

class ScramExchange final : public SaslExchange {
 public:
  ScramExchange(SaslAuthenticator::Internals& auth, SaslMechanism mechanism, const SaslOffer& offer)
      : SaslExchange(mechanism), auth_(auth), offer_(offer) {}

  SaslStep step(std::optional<std::string_view> response) override {
    switch (state_) {
      case State::start:
        if (!response) {
          state_ = State::want_client_first;
          return challenge("");
        }
        return client_first(*response);
      case State::want_client_first:
        if (!response) return end(Failure::malformed, "missing client-first-message");
        return client_first(*response);
      case State::want_client_final:
        if (!response) return end(Failure::malformed, "missing client-final-message");
        return client_final(*response);
      case State::want_ack:
        // RFC 4954 §4 / RFC 3501: after the server-final-message the client answers empty.
        state_ = State::done;
        if (!response || !response->empty())
          return failure(Failure::malformed, "unexpected data after server-final-message");
        username_ = keys_.username;
        return SaslStep{SaslStep::Kind::success, {}, Failure::none, {}};
      case State::done:
        break;
    }
    return failure(Failure::malformed, "exchange already finished");
  }

 private:
  enum class State { start, want_client_first, want_client_final, want_ack, done };

  SaslStep end(Failure why, std::string reason) {
    state_ = State::done;
    return failure(why, std::move(reason));
  }

  bool plus() const { return mechanism_ == SaslMechanism::scram_sha_256_plus; }

  // RFC 5802 §7: gs2-header "n,," / "y,," / "p=NAME,," + [a=authzid], then
  // client-first-message-bare "n=user,r=nonce[,ext]".
  SaslStep client_first(std::string_view message) {
    state_ = State::want_client_final;
    size_t comma1 = message.find(',');
    size_t comma2 = comma1 == message.npos ? comma1 : message.find(',', comma1 + 1);
    if (comma2 == message.npos) return end(Failure::malformed, "bad GS2 header");
    std::string_view flag = message.substr(0, comma1);
    std::string_view authzid = message.substr(comma1 + 1, comma2 - comma1 - 1);
    gs2_header_ = std::string(message.substr(0, comma2 + 1));
    client_first_bare_ = std::string(message.substr(comma2 + 1));

    if (flag.starts_with("p=")) {
      std::string_view name = flag.substr(2);
      if (!plus()) return end(Failure::malformed, "channel binding requires SCRAM-SHA-256-PLUS");
      const std::optional<std::string>* data = nullptr;
      if (name == "tls-exporter") data = &offer_.bindings.tls_exporter;
      if (name == "tls-server-end-point") data = &offer_.bindings.tls_server_end_point;
      if (data == nullptr || !data->has_value())
        return end(Failure::malformed, "unsupported channel binding type");
      binding_data_ = **data;
    } else if (plus()) {
      return end(Failure::malformed, "SCRAM-SHA-256-PLUS without channel binding");
    } else if (flag == "y") {
      // RFC 5802 §6: the client could bind but believes we cannot. If we offered -PLUS,
      // someone removed it from the list on the way: a downgrade attack.
      if (offer_.tls_active && offer_.bindings.any() && offer_.allow_scram &&
          offer_.configured.scram_plus)
        return end(Failure::malformed, "channel binding downgrade detected");
    } else if (flag != "n") {
      return end(Failure::malformed, "bad GS2 channel binding flag");
    }

    std::optional<std::string> authz;
    if (!authzid.empty()) {
      if (!authzid.starts_with("a=")) return end(Failure::malformed, "bad GS2 authzid");
      authz = decode_saslname(authzid.substr(2));
      if (!authz) return end(Failure::malformed, "bad GS2 authzid");
    }
    auto attrs = attributes(client_first_bare_);
    // m= (mandatory extensions) is not supported: RFC 5802 §5.1 says fail.
    if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'n' || (*attrs)[1].first != 'r')
      return end(Failure::malformed, "bad client-first-message");
    auto user = decode_saslname((*attrs)[0].second);
    std::string_view client_nonce = (*attrs)[1].second;
    if (!user || user->empty() || !valid_nonce(client_nonce))
      return end(Failure::malformed, "bad client-first-message");
    // RFC 5802 §5.1: the server prepares the name with SASLprep (as a query) or fails.
    auto prepared = saslprep(*user);
    if (!prepared) return end(Failure::malformed, "user name refused by SASLprep");
    *user = std::move(*prepared);
    attempted_ = *user;
    if (authz && !base::iequals(*authz, *user))
      return end(Failure::authorization, "authorization identity differs from login");

    keys_ = auth_.scram_keys(*user);
    if (keys_.failure != Failure::none) return end(keys_.failure, keys_.reason);
    std::string server_nonce = auth_.nonce();
    if (server_nonce.empty()) return end(Failure::temporary, "no random bytes for a nonce");
    nonce_ = std::string(client_nonce) + server_nonce;
    server_first_ = "r=" + nonce_ + ",s=" + base::base64_encode(keys_.keys.salt) +
                    ",i=" + std::to_string(keys_.keys.iterations);
    return challenge(server_first_);
  }

  // RFC 5802 §7: "c=base64(gs2-header + cbind-data),r=nonce[,ext],p=base64(proof)".
  SaslStep client_final(std::string_view message) {
    state_ = State::done;
    size_t proof_at = message.rfind(",p=");
    if (proof_at == message.npos) return failure(Failure::malformed, "missing proof");
    std::string_view without_proof = message.substr(0, proof_at);
    auto attrs = attributes(without_proof);
    if (!attrs || attrs->size() < 2 || (*attrs)[0].first != 'c' || (*attrs)[1].first != 'r')
      return failure(Failure::malformed, "bad client-final-message");
    auto binding = base::base64_decode((*attrs)[0].second);
    auto proof = base::base64_decode(message.substr(proof_at + 3));
    if (!binding || !proof) return failure(Failure::malformed, "bad base64 in client-final");
    if ((*attrs)[1].second != nonce_) return failure(Failure::malformed, "nonce mismatch");
    // The channel binding must match exactly what this TLS connection gives us.
    if (!detail::constant_time_equal(*binding, gs2_header_ + binding_data_))
      return failure(Failure::credentials, "channel binding mismatch");
    if (proof->size() != SHA256_DIGEST_LENGTH) return failure(Failure::malformed, "bad proof");

    // ClientKey := ClientProof XOR HMAC(StoredKey, AuthMessage); H(ClientKey) == StoredKey.
    std::string auth_message =
        client_first_bare_ + "," + server_first_ + "," + std::string(without_proof);
    std::string signature = detail::hmac_sha256(keys_.keys.stored_key, auth_message);
    std::string client_key = *proof;
    for (size_t i = 0; i < client_key.size() && i < signature.size(); ++i)
      client_key[i] = static_cast<char>(client_key[i] ^ signature[i]);
    bool match = detail::constant_time_equal(detail::sha256(client_key), keys_.keys.stored_key);
    if (!match || !keys_.real) return failure(Failure::credentials, "authentication failure");
    state_ = State::want_ack;
    std::string server_signature = detail::hmac_sha256(keys_.keys.server_key, auth_message);
    return challenge("v=" + base::base64_encode(server_signature));
  }

  SaslAuthenticator::Internals& auth_;
  SaslOffer offer_;
  State state_ = State::start;
  std::string gs2_header_;
  std::string binding_data_;
  std::string client_first_bare_;
  std::string server_first_;
  std::string nonce_;
  SaslAuthenticator::Internals::Scram keys_;
};

}  // namespace

std::unique_ptr<SaslExchange> make_scram_exchange(SaslAuthenticator::Internals& auth,
                                                  SaslMechanism mechanism, const SaslOffer& offer) {
  return std::make_unique<ScramExchange>(auth, mechanism, offer);
}

SaslAuthenticator::Internals::Scram SaslAuthenticator::Internals::scram_keys(
    std::string_view user) {
  Scram out;
  auto found = directory.lookup(user);
  if (!found) {
    out.failure = Failure::temporary;
    out.reason = "user directory: " + found.error().message;
    return out;
  }
  // The salt of a user whose keys we make up: stable per (authenticator, user name).
  std::string salt = detail::hmac_sha256(secret, base::to_lower(user)).substr(0, 16);
  if (*found) {
    auto [scheme, data] = split_password_scheme((*found)->password);
    if (scheme == "SCRAM-SHA-256") {
      if (auto keys = parse_scram_sha256(data)) {
        out.keys = *keys;
        out.real = true;
      }
    } else if (scheme == "PLAIN" || scheme == "CLEAR" || scheme == "CLEARTEXT") {
      // RFC 5802 §2.2: the client derives its keys from the SASLprep'ed password.
      out.keys = derive_scram_sha256_keys(scram_password(data), salt, options.scram_iterations);
      out.real = !data.empty() && !out.keys.stored_key.empty();
    }
    out.username = (*found)->user;
  }
  if (!out.real) {
    // The same PBKDF2 cost as a {PLAIN} user, and keys nobody knows.
    out.keys = derive_scram_sha256_keys(secret, salt, options.scram_iterations);
    out.username.clear();
  }
  return out;
}

}  // namespace correio::auth
