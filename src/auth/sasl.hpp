// The SASL server (RFC 4422) shared by smtpd (RFC 4954 AUTH), imapd (AUTHENTICATE, LOGIN)
// and pop3d (AUTH, USER/PASS): one authentication exchange is a SaslExchange driven step by
// step with the client's raw (already base64-decoded) responses; the protocol code does the
// base64 (base/base64.hpp), the "*" cancel, the wording of replies and the failure delay
// (login_throttle.hpp). Mechanisms: PLAIN (RFC 4616), LOGIN (draft-murchison-sasl-login),
// CRAM-MD5 (RFC 2195, off unless configured), SCRAM-SHA-256 and SCRAM-SHA-256-PLUS
// (RFC 7677 / RFC 5802, channel bindings tls-exporter (RFC 9266) and tls-server-end-point
// (RFC 5929)). Credentials come from a UserDirectory and password.hpp's schemes.
//
// Nothing a client sees tells an unknown user from a wrong password: the same failure, and
// (through a dummy hash and per-user fake SCRAM salts) roughly the same time.
//
// Usage (SMTP AUTH as an example):
//   SaslOffer offer{.tls_active = conn.tls_active(), .allow_plaintext = ...,
//                   .bindings = conn.channel_bindings()};
//   auto mech = parse_sasl_mechanism(name);                 // nullopt: 504 5.5.4
//   auto exchange = authenticator.start(*mech, offer);      // nullptr: not offered -> 504
//   SaslStep s = exchange->step(initial_response);          // nullopt when none was sent
//   while (s.kind == SaslStep::Kind::challenge) { send 334 base64(s.data); read; s = step(r); }
//   success: exchange->username();  failure: s.failure says which reply, s.reason is for logs
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_directory.hpp"

namespace correio::auth {

enum class SaslMechanism { plain, login, cram_md5, scram_sha_256, scram_sha_256_plus };

// "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS".
std::string_view sasl_mechanism_name(SaslMechanism mechanism);
// Case-insensitive; nullopt for a name we do not implement.
std::optional<SaslMechanism> parse_sasl_mechanism(std::string_view name);
// PLAIN and LOGIN send the password itself (Postfix's "noplaintext" excludes them).
bool sasl_mechanism_is_plaintext(SaslMechanism mechanism);

// Channel-binding data of the live TLS connection (io::Connection::channel_bindings()).
struct ChannelBindings {
  std::optional<std::string> tls_exporter;          // RFC 9266, TLS 1.3 only
  std::optional<std::string> tls_server_end_point;  // RFC 5929 §4.1: hash of our certificate
  bool any() const { return tls_exporter.has_value() || tls_server_end_point.has_value(); }
};

// The mechanisms auth_mechanisms names (Dovecot's setting, shared by smtpd, imapd and
// pop3d): only these are ever offered. CRAM-MD5 is off unless named.
struct ConfiguredMechanisms {
  bool plain = true, login = true, scram = true, scram_plus = true, cram_md5 = false;
};
// Parses auth_mechanisms' words, case-insensitively; a name Correio does not implement is
// an error naming it (Dovecot refuses to start on one too).
Result<ConfiguredMechanisms> parse_auth_mechanisms(const std::vector<std::string>& names);
// What a daemon offers: the parsed set, or nothing at all when a name is unknown (check and
// start refuse that configuration; a daemon never offers what was not listed).
ConfiguredMechanisms offered_auth_mechanisms(const std::vector<std::string>& names);

// What one connection may use right now; decided by the protocol from its settings
// (smtpd_sasl_security_options, smtpd_tls_auth_only, auth_allow_cleartext, ...).
struct SaslOffer {
  bool tls_active = false;
  bool allow_plaintext = true;      // PLAIN and LOGIN (policy: TLS, cleartext settings)
  bool allow_scram = true;          // SCRAM-SHA-256 (and -PLUS when TLS has bindings)
  ConfiguredMechanisms configured;  // auth_mechanisms
  ChannelBindings bindings;         // empty without TLS
};

// The mechanisms `offer` allows, strongest first, e.g. for EHLO "AUTH ..." or the IMAP
// capability "AUTH=...". SCRAM-SHA-256-PLUS only with TLS and at least one binding.
std::vector<SaslMechanism> offered_mechanisms(const SaslOffer& offer);
// The same as one space-separated string: "SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN".
std::string offered_mechanism_list(const SaslOffer& offer);

// The outcome of one step.
struct SaslStep {
  enum class Kind {
    challenge,  // send `data` to the client (base64-encoded) and pass its reply to step()
    success,    // authenticated as SaslExchange::username(); no data
    failure,    // the exchange is over; see `failure`
  };
  // Why an exchange failed; the protocol picks its reply from this:
  //   malformed      the client broke the mechanism's syntax (SMTP 501 5.5.2 / 535; IMAP BAD)
  //   credentials    unknown user, wrong password, disabled user, SCRAM proof mismatch
  //                  (SMTP 535 5.7.8; IMAP NO [AUTHENTICATIONFAILED]; POP3 -ERR [AUTH])
  //   authorization  authzid differs from authcid (treated as credentials by the protocols;
  //                  SMTP 535 5.7.8)
  //   temporary      the user directory cannot be read now (SMTP 454 4.7.0;
  //                  IMAP NO [UNAVAILABLE]; POP3 -ERR [SYS/TEMP]); not a login failure
  enum class Failure { none, malformed, credentials, authorization, temporary };

  Kind kind = Kind::failure;
  std::string data;  // challenge bytes (raw, not base64); empty otherwise
  Failure failure = Failure::none;
  // For the log only: "unknown user", "Password mismatch" (Dovecot's auth words),
  // "authentication failure", "bad SCRAM proof", ...
  std::string reason;
};

// One authentication exchange with one client. Created by SaslAuthenticator::start; owned
// by the protocol session; borrows the authenticator, which must outlive it. Not
// thread-safe. After success or failure, step() keeps returning failure (malformed).
class SaslExchange {
 public:
  virtual ~SaslExchange() = default;
  SaslExchange(const SaslExchange&) = delete;
  SaslExchange& operator=(const SaslExchange&) = delete;

  // The first call takes the initial response (nullopt when the client sent none; an
  // empty string when it sent an empty one, "=" in SMTP/IMAP). Later calls take the
  // client's answer to the last challenge.
  virtual SaslStep step(std::optional<std::string_view> response) = 0;

  SaslMechanism mechanism() const { return mechanism_; }
  // After success: the user as the directory spells it ("alice@example.org").
  const std::string& username() const { return username_; }
  // The authentication identity the client sent so far, for log lines ("" if none yet).
  // Never shown to the client.
  const std::string& attempted_username() const { return attempted_; }

 protected:
  explicit SaslExchange(SaslMechanism mechanism) : mechanism_(mechanism) {}
  SaslMechanism mechanism_;
  std::string username_;
  std::string attempted_;
};

// Owns what every exchange of one daemon shares: the user directory (borrowed), a random
// secret for fake SCRAM salts, and the dummy hash that equalises the time for unknown
// users. Owned by the daemon; used from its one event-loop thread; not thread-safe.
//
// Password verification runs on the caller's thread: Argon2/crypt hashes take tens of
// milliseconds and block the event loop for that long.
class SaslAuthenticator {
 public:
  struct Options {
    std::string hostname = "localhost";  // in the CRAM-MD5 challenge
    // PBKDF2 iterations for the fake SCRAM salt of unknown users and {PLAIN} passwords.
    unsigned scram_iterations = 4096;
    // Tests only: a fixed server nonce (RFC 7677's test vector); empty means random.
    std::string fixed_nonce;
  };

  SaslAuthenticator(UserDirectory& directory, Options options);
  ~SaslAuthenticator();

  // A new exchange, or nullptr when `offer` does not allow `mechanism`.
  std::unique_ptr<SaslExchange> start(SaslMechanism mechanism, const SaslOffer& offer);

  // USER/PASS (POP3) and LOGIN (IMAP): the same checks as PLAIN with authzid empty.
  // On success `username` is set as for SaslExchange::username().
  struct Verdict {
    SaslStep::Failure failure = SaslStep::Failure::none;  // none: success
    std::string reason;
    std::string username;
    bool ok() const { return failure == SaslStep::Failure::none; }
  };
  Verdict check_password(std::string_view user, std::string_view password);

  // Private to the mechanisms (sasl_*.cpp).
  struct Internals;
  Internals& internals() { return *internals_; }

 private:
  std::unique_ptr<Internals> internals_;
};

}  // namespace correio::auth
