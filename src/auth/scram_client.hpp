// The client side of SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677; channel
// bindings tls-exporter, RFC 9266, and tls-server-end-point, RFC 5929 §4) for the SMTP
// client's AUTH to a relay host: the client-first message, the proof answering the
// server-first message, and the check of the server's signature (mutual authentication).
// User name and password are SASLprep'ed (RFC 4013, saslprep.hpp) as RFC 5802 §2.2 asks.
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

  // SCRAM-SHA-256-PLUS: bind to the TLS channel with `type` ("tls-exporter",
  // "tls-server-end-point") whose data this connection gives. Before first().
  void bind_channel(std::string type, std::string data);
  // Plain SCRAM-SHA-256 over a connection we could bind to, but the server did not offer
  // -PLUS: gs2 flag "y" (RFC 5802 §6), so that a server that did offer it sees the
  // downgrade. Before first().
  void could_bind() { gs2_header_ = "y,,"; }

  // RFC 5802 §7 client-first-message: gs2 header ("n,,", "y,," or "p=TYPE,,") then
  // "n=USER,r=NONCE". Errors: a user name SASLprep refuses, no random bytes for the nonce.
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
  std::string gs2_header_ = "n,,";  // RFC 5802 §7 gs2-header
  std::string binding_data_;        // cbind-data after the header, for "p=" only
  std::string client_first_bare_;
  std::string auth_message_;
  std::string server_key_;
};

}  // namespace correio::auth
