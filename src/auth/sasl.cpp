// The SASL server: mechanism names and offers, the authenticator's shared checks, and the
// simple mechanisms PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login) and CRAM-MD5
// (RFC 2195). SCRAM lives in sasl_scram.cpp.
#include "auth/sasl.hpp"

#include <openssl/rand.h>

#include <chrono>

#include "auth/detail/sasl_internals.hpp"
#include "auth/detail/schemes.hpp"
#include "base/base64.hpp"
#include "base/strings.hpp"

namespace correio::auth {
namespace {

using Failure = SaslStep::Failure;

struct MechanismName {
  SaslMechanism mechanism;
  std::string_view name;
};
// Strongest first: the order of offered_mechanisms().
constexpr MechanismName kNames[] = {
    {SaslMechanism::scram_sha_256_plus, "SCRAM-SHA-256-PLUS"},
    {SaslMechanism::scram_sha_256, "SCRAM-SHA-256"},
    {SaslMechanism::cram_md5, "CRAM-MD5"},
    {SaslMechanism::plain, "PLAIN"},
    {SaslMechanism::login, "LOGIN"},
};

SaslStep challenge(std::string data) {
  return SaslStep{SaslStep::Kind::challenge, std::move(data), Failure::none, {}};
}
SaslStep success() {
  return SaslStep{SaslStep::Kind::success, {}, Failure::none, {}};
}
SaslStep failure(Failure why, std::string reason) {
  return SaslStep{SaslStep::Kind::failure, {}, why, std::move(reason)};
}
SaslStep from_verdict(const SaslAuthenticator::Verdict& v) {
  return v.ok() ? success() : failure(v.failure, v.reason);
}

// RFC 4616 §2: message = [authzid] UTF8NUL authcid UTF8NUL passwd.
class PlainExchange final : public SaslExchange {
 public:
  explicit PlainExchange(SaslAuthenticator::Internals& auth)
      : SaslExchange(SaslMechanism::plain), auth_(auth) {}

  SaslStep step(std::optional<std::string_view> response) override {
    if (done_) return failure(Failure::malformed, "exchange already finished");
    if (!response) {
      if (asked_) return failure(Failure::malformed, "missing response");
      asked_ = true;
      return challenge("");  // "334 " with nothing: send the credentials
    }
    done_ = true;
    std::string_view message = *response;
    size_t first = message.find('\0');
    size_t second = first == std::string_view::npos ? first : message.find('\0', first + 1);
    if (second == std::string_view::npos || message.find('\0', second + 1) != message.npos)
      return failure(Failure::malformed, "Invalid authentication mechanism");
    std::string_view authzid = message.substr(0, first);
    std::string_view authcid = message.substr(first + 1, second - first - 1);
    std::string_view password = message.substr(second + 1);
    attempted_ = std::string(authcid);
    if (authcid.empty()) return failure(Failure::malformed, "empty authentication identity");
    auto verdict = auth_.verify(authcid, password);
    if (verdict.ok() && !authzid.empty() && !base::iequals(authzid, authcid))
      return failure(Failure::authorization, "authorization identity differs from login");
    username_ = verdict.username;
    return from_verdict(verdict);
  }

 private:
  SaslAuthenticator::Internals& auth_;
  bool asked_ = false;
  bool done_ = false;
};

// LOGIN: "Username:" then "Password:" challenges; an initial response is the user name.
class LoginExchange final : public SaslExchange {
 public:
  explicit LoginExchange(SaslAuthenticator::Internals& auth)
      : SaslExchange(SaslMechanism::login), auth_(auth) {}

  SaslStep step(std::optional<std::string_view> response) override {
    switch (state_) {
      case State::start:
        if (!response) {
          state_ = State::want_user;
          return challenge("Username:");
        }
        [[fallthrough]];
      case State::want_user:
        if (!response || response->empty() || response->find('\0') != response->npos) {
          state_ = State::done;
          return failure(Failure::malformed, "bad user name");
        }
        attempted_ = std::string(*response);
        state_ = State::want_password;
        return challenge("Password:");
      case State::want_password: {
        state_ = State::done;
        if (!response) return failure(Failure::malformed, "missing password");
        auto verdict = auth_.verify(attempted_, *response);
        username_ = verdict.username;
        return from_verdict(verdict);
      }
      case State::done:
        break;
    }
    return failure(Failure::malformed, "exchange already finished");
  }

 private:
  enum class State { start, want_user, want_password, done };
  SaslAuthenticator::Internals& auth_;
  State state_ = State::start;
};

// RFC 2195: challenge "<random.timestamp@hostname>", response "user HEX(HMAC-MD5(pw, ch))".
class CramMd5Exchange final : public SaslExchange {
 public:
  explicit CramMd5Exchange(SaslAuthenticator::Internals& auth)
      : SaslExchange(SaslMechanism::cram_md5), auth_(auth) {}

  SaslStep step(std::optional<std::string_view> response) override {
    if (challenge_.empty()) {
      if (response) return failure(Failure::malformed, "CRAM-MD5 takes no initial response");
      auto now = std::chrono::system_clock::now().time_since_epoch();
      challenge_ = "<" + auth_.nonce() + "." +
                   std::to_string(std::chrono::duration_cast<std::chrono::seconds>(now).count()) +
                   "@" + auth_.options.hostname + ">";
      return challenge(challenge_);
    }
    if (done_ || !response) return failure(Failure::malformed, "exchange already finished");
    done_ = true;
    size_t space = response->rfind(' ');
    if (space == std::string_view::npos || space == 0)
      return failure(Failure::malformed, "bad CRAM-MD5 response");
    attempted_ = std::string(response->substr(0, space));
    std::string_view digest = response->substr(space + 1);
    auto found = auth_.plaintext(attempted_);
    if (found.failure != Failure::none) return failure(found.failure, found.reason);
    // Unknown users are checked against a random key: the same work, a certain mismatch.
    std::string key = found.password ? *found.password : auth_.nonce();
    std::string expected;
    static constexpr char kHex[] = "0123456789abcdef";
    for (unsigned char c : detail::hmac_md5(key, challenge_)) {
      expected += kHex[c >> 4];
      expected += kHex[c & 15];
    }
    bool match = detail::constant_time_equal(expected, base::to_lower(digest));
    if (!found.password) return failure(Failure::credentials, "unknown user");
    if (!match) return failure(Failure::credentials, "Password mismatch");
    username_ = found.username;
    return success();
  }

 private:
  SaslAuthenticator::Internals& auth_;
  std::string challenge_;
  bool done_ = false;
};

}  // namespace

std::string_view sasl_mechanism_name(SaslMechanism mechanism) {
  for (const auto& n : kNames)
    if (n.mechanism == mechanism) return n.name;
  return "UNKNOWN";
}

std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name) {
  for (const auto& n : kNames)
    if (base::iequals(n.name, name)) return n.mechanism;
  return std::nullopt;
}

Result<ConfiguredMechanisms> parse_auth_mechanisms(const std::vector<std::string>& names) {
  ConfiguredMechanisms out{false, false, false, false, false};
  for (const auto& name : names) {
    auto mechanism = parse_sasl_mechanism(name);
    if (!mechanism) return Error{"auth_mechanisms: unknown or unsupported mechanism: " + name};
    switch (*mechanism) {
      case SaslMechanism::plain:
        out.plain = true;
        break;
      case SaslMechanism::login:
        out.login = true;
        break;
      case SaslMechanism::cram_md5:
        out.cram_md5 = true;
        break;
      case SaslMechanism::scram_sha_256:
        out.scram = true;
        break;
      case SaslMechanism::scram_sha_256_plus:
        out.scram_plus = true;
        break;
    }
  }
  return out;
}

ConfiguredMechanisms offered_auth_mechanisms(const std::vector<std::string>& names) {
  auto parsed = parse_auth_mechanisms(names);
  return parsed ? *parsed : ConfiguredMechanisms{false, false, false, false, false};
}

bool sasl_mechanism_is_plaintext(SaslMechanism mechanism) {
  return mechanism == SaslMechanism::plain || mechanism == SaslMechanism::login;
}

std::vector<SaslMechanism> offered_mechanisms(const SaslOffer& offer) {
  std::vector<SaslMechanism> out;
  for (const auto& n : kNames) {
    bool allowed = false;
    switch (n.mechanism) {
      case SaslMechanism::scram_sha_256_plus:
        allowed = offer.allow_scram && offer.configured.scram_plus && offer.tls_active &&
                  offer.bindings.any();
        break;
      case SaslMechanism::scram_sha_256:
        allowed = offer.allow_scram && offer.configured.scram;
        break;
      case SaslMechanism::cram_md5:
        allowed = offer.configured.cram_md5;
        break;
      case SaslMechanism::plain:
        allowed = offer.allow_plaintext && offer.configured.plain;
        break;
      case SaslMechanism::login:
        allowed = offer.allow_plaintext && offer.configured.login;
        break;
    }
    if (allowed) out.push_back(n.mechanism);
  }
  return out;
}

std::string offered_mechanism_list(const SaslOffer& offer) {
  std::string out;
  for (SaslMechanism m : offered_mechanisms(offer)) {
    if (!out.empty()) out += ' ';
    out += sasl_mechanism_name(m);
  }
  return out;
}

SaslAuthenticator::SaslAuthenticator(UserDirectory& directory, Options options)
    : internals_(std::make_unique<Internals>(Internals{directory, std::move(options), {}, {}})) {
  auto secret = detail::random_bytes(32);
  // Without randomness the fake salts are still per-user and stable, just guessable.
  internals_->secret = secret ? *secret : std::string("correio-scram-fallback");
  std::string random = internals_->nonce();
  auto dummy = hash_password("SHA512-CRYPT", random);
  internals_->dummy_hash = dummy ? *dummy : std::string();
}

SaslAuthenticator::~SaslAuthenticator() = default;

std::unique_ptr<SaslExchange> SaslAuthenticator::start(SaslMechanism mechanism,
                                                       const SaslOffer& offer) {
  bool allowed = false;
  for (SaslMechanism m : offered_mechanisms(offer))
    if (m == mechanism) allowed = true;
  if (!allowed) return nullptr;
  switch (mechanism) {
    case SaslMechanism::plain:
      return std::make_unique<PlainExchange>(*internals_);
    case SaslMechanism::login:
      return std::make_unique<LoginExchange>(*internals_);
    case SaslMechanism::cram_md5:
      return std::make_unique<CramMd5Exchange>(*internals_);
    case SaslMechanism::scram_sha_256:
    case SaslMechanism::scram_sha_256_plus:
      return make_scram_exchange(*internals_, mechanism, offer);
  }
  return nullptr;
}

SaslAuthenticator::Verdict SaslAuthenticator::check_password(std::string_view user,
                                                             std::string_view password) {
  return internals_->verify(user, password);
}

SaslAuthenticator::Verdict SaslAuthenticator::Internals::verify(std::string_view user,
                                                                std::string_view password) {
  Verdict verdict;
  auto found = directory.lookup(user);
  if (!found) {
    verdict.failure = Failure::temporary;
    verdict.reason = "user directory: " + found.error().message;
    return verdict;
  }
  // Unknown users and users without a password cost one dummy verification, so that the
  // time taken does not tell them from a wrong password.
  const std::string& stored =
      (*found && !(*found)->password.empty()) ? (*found)->password : dummy_hash;
  bool match = verify_password(stored, password);
  if (!match || !*found || (*found)->password.empty()) {
    // Dovecot's auth process words, which fail2ban's dovecot filter knows; the client
    // sees no difference (RFC 4954 §4: the same 535 for both).
    verdict.failure = Failure::credentials;
    verdict.reason = !*found || (*found)->password.empty() ? "unknown user" : "Password mismatch";
    return verdict;
  }
  verdict.username = (*found)->user;
  return verdict;
}

SaslAuthenticator::Internals::Plaintext SaslAuthenticator::Internals::plaintext(
    std::string_view user) {
  Plaintext out;
  auto found = directory.lookup(user);
  if (!found) {
    out.failure = Failure::temporary;
    out.reason = "user directory: " + found.error().message;
    return out;
  }
  if (!*found) return out;
  auto [scheme, data] = split_password_scheme((*found)->password);
  if (scheme == "PLAIN" || scheme == "CLEAR" || scheme == "CLEARTEXT") {
    out.password = std::string(data);
    out.username = (*found)->user;
  }
  return out;
}

std::string SaslAuthenticator::Internals::nonce() {
  if (!options.fixed_nonce.empty()) return options.fixed_nonce;
  unsigned char bytes[24];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    // No randomness: refuse to make a predictable nonce; the exchange then fails.
    return {};
  }
  return base::base64_encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

}  // namespace correio::auth
