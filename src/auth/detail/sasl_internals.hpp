// Private to correio_auth: what the SASL mechanisms (sasl_*.cpp) share through the
// SaslAuthenticator — user lookup, password checks with equal cost for unknown users, the
// SCRAM keys of a user (real or fake), nonces. Owned by the authenticator; not thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/password.hpp"
#include "auth/sasl.hpp"

namespace correio::auth {

struct SaslAuthenticator::Internals {
  UserDirectory& directory;
  Options options;
  std::string secret;      // random, per authenticator: keys the fake SCRAM salts
  std::string dummy_hash;  // "{SHA512-CRYPT}..." of a random password, verified for nobody

  // PLAIN/LOGIN/USER+PASS: one directory lookup and one hash verification, whether or not
  // the user exists.
  Verdict verify(std::string_view user, std::string_view password);

  // SCRAM: the user's keys. Unknown users, users whose scheme cannot do SCRAM and users
  // without a password get fake keys with a salt derived from (secret, user), so that
  // the server-first message looks the same every time; `real` is false then.
  struct Scram {
    SaslStep::Failure failure = SaslStep::Failure::none;  // temporary: directory unreadable
    std::string reason;
    ScramKeys keys;
    std::string username;  // as the directory spells it
    bool real = false;
  };
  Scram scram_keys(std::string_view user);

  // CRAM-MD5 needs the password itself: {PLAIN} users only.
  struct Plaintext {
    SaslStep::Failure failure = SaslStep::Failure::none;
    std::string reason;
    std::optional<std::string> password;  // nullopt: unknown user or not {PLAIN}
    std::string username;
  };
  Plaintext plaintext(std::string_view user);

  // 24 random bytes, base64 (no ',' so it is a valid SCRAM nonce), or options.nonce_source.
  std::string nonce();
};

std::unique_ptr<SaslExchange> make_scram_exchange(SaslAuthenticator::Internals& auth,
                                                  SaslMechanism mechanism, const SaslOffer& offer);

}  // namespace correio::auth
