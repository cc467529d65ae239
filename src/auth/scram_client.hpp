// The client side of SCRAM-SHA-256 (RFC 5802, RFC 7677) without channel binding, for the
// SMTP client's AUTH to a relay host: the client-first message, the proof answering the
// server-first message, and the check of the server's signature (mutual authentication).
// Pure computation over the same key derivation as the server side (password.hpp); the
// caller moves the messages. One exchange per object; not thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "auth/password.hpp"
#include "base/result.hpp"

namespace correio::auth {

class ScramClient {
 public:
  // `nonce` is for tests; empty: 24 random bytes, base64.
  ScramClient(std::string user, std::string password, std::string nonce = {});

  // RFC 5802 §7 client-first-message: "n,,n=USER,r=NONCE" (gs2 "n": we cannot bind to a
  // channel). Errors: no random bytes for the nonce.
  Result<std::string> first();

  // The client-final-message answering `server_first` ("r=NONCE,s=SALT,i=COUNT").
  // Errors (the server is broken or hostile): malformed message, a nonce that does not
  // extend ours, an iteration count below 4096 (RFC 7677 §4) or above
  // kScramMaxIterations, the server's "e=" error.
  Result<std::string> final(std::string_view server_first);

  // Checks `server_final` ("v=SIGNATURE"): the server knew the password too.
  Status verify(std::string_view server_final) const;

 private:
  std::string user_, password_, nonce_;
  std::string client_first_bare_;
  std::string auth_message_;
  std::string server_key_;
};

}  // namespace correio::auth
