// The line protocol between the auth service (src/authd) and the daemons that log users in
// (smtpd AUTH today; imap-login and pop3-login next): the client half of Dovecot's auth
// protocol 1.2 (doc: "Dovecot SASL protocol"), so that Postfix's smtpd_sasl_type = dovecot
// could talk to Correio's auth and Correio's smtpd could talk to Dovecot's. Lines are
// TAB-separated fields ending in LF; a field's TAB, CR, LF and \001 are escaped as Dovecot's
// str_tabescape does (\001t, \001r, \001n, \0011).
//
//   server: VERSION 1 2 / MECH name [plaintext] ... / SPID pid / CUID n / COOKIE hex / DONE
//   client: VERSION 1 2 / CPID pid
//   client: AUTH id mech service=smtp rip=ADDR [secured] [no-penalty] [resp=BASE64] ...
//   server: CONT id BASE64          client: CONT id BASE64
//   server: OK id user=NAME         or FAIL id [user=NAME] [code=...] [temp] [reason=...]
//
// Correio's additions, ignored by Dovecot as unknown parameters: on AUTH, the connection's
// policy (correio-noplaintext, correio-noscram) and its channel bindings for
// SCRAM-SHA-256-PLUS (correio-cbind-exporter=, correio-cbind-endpoint=, base64); on FAIL,
// code=correio-malformed and code=correio-locked-out with correio-failures=N.
// Pure functions and plain values: no state, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "auth/sasl.hpp"
#include "base/result.hpp"

namespace correio::auth::protocol {

// The longest line either side accepts: a 16 KiB SASL response (RFC 4954 §4 asks for
// 12,288 octets) in base64 with its fields, and room to spare.
constexpr size_t kMaxLine = 64 * 1024;
constexpr unsigned kMajorVersion = 1;
constexpr unsigned kMinorVersion = 2;

// Dovecot's str_tabescape and its inverse; unescape fails on a \001 not followed by one of
// 1 t r n.
std::string tab_escape(std::string_view text);
std::optional<std::string> tab_unescape(std::string_view text);

// ---- client to server ----

struct Version {
  unsigned major = 0, minor = 0;
};
struct ClientPid {
  unsigned long pid = 0;
};
// One authentication request. `initial_response` is raw (decoded) bytes: nullopt when the
// client sent none, "" for an empty one.
struct AuthStart {
  unsigned long id = 0;
  std::string mechanism;       // as the client named it; the server parses it
  std::string service;         // "smtp", "imap", "pop3"
  std::string remote_address;  // rip: the failed-login throttle counts per address
  std::string local_address;   // lip: for the log
  bool secured = false;        // TLS is active on the client's connection
  bool no_penalty = false;     // a trusted client: not counted, never locked out
  bool no_plaintext = false;   // PLAIN and LOGIN are not allowed on this connection
  bool no_scram = false;       // SCRAM-SHA-256 is not allowed on this connection
  std::optional<std::string> initial_response;
  ChannelBindings bindings;
};
// The client's answer to a challenge, raw bytes (an empty CONT is an empty answer; a
// client that gives up closes the connection or sends no more for that id).
struct AuthContinue {
  unsigned long id = 0;
  std::string response;
};
using ClientLine = std::variant<Version, ClientPid, AuthStart, AuthContinue>;

// One line without its LF. Errors name what is wrong ("AUTH: bad id"); unknown AUTH
// parameters are ignored, as Dovecot ignores them.
Result<ClientLine> parse_client_line(std::string_view line);

std::string format_client_handshake(unsigned long pid);  // VERSION and CPID lines
std::string format_auth(const AuthStart& request);
std::string format_continue(unsigned long id, std::string_view response);

// ---- server to client ----

struct Mech {
  std::string name;
  bool plaintext = false;
};
struct HandshakeDone {};
struct Challenge {
  unsigned long id = 0;
  std::string data;  // raw bytes
};
struct Success {
  unsigned long id = 0;
  std::string user;
};
struct Failure {
  unsigned long id = 0;
  SaslStep::Failure kind = SaslStep::Failure::credentials;
  bool locked_out = false;  // the address is locked out; nothing was checked
  int failures = 0;         // with locked_out: the failures that locked it out
  std::string user;         // the identity tried, for the client's log ("" if none)
  std::string reason;       // for the client's log
};
// COOKIE: the auth process's random cookie, which a login process hands on with its
// request id so that the post-login side can ask the auth service which user it approved
// (auth/auth_master_protocol.hpp).
struct Cookie {
  std::string hex;
};
// SPID, CUID and lines of a later minor version: nothing the client needs.
struct Ignored {};
using ServerLine =
    std::variant<Version, Mech, HandshakeDone, Challenge, Success, Failure, Cookie, Ignored>;

Result<ServerLine> parse_server_line(std::string_view line);

// The greeting: VERSION, one MECH per mechanism, SPID, CUID, COOKIE, DONE.
std::string format_server_handshake(const std::vector<Mech>& mechanisms, unsigned long pid,
                                    unsigned long connection, std::string_view cookie_hex);
std::string format_challenge(unsigned long id, std::string_view data);
std::string format_success(unsigned long id, std::string_view user);
std::string format_failure(const Failure& failure);

}  // namespace correio::auth::protocol
