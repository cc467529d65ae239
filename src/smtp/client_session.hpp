// The SMTP client's dialogue with one server over one connection (RFC 5321 §3, §4): the
// greeting, EHLO (HELO when the server does not do ESMTP), opportunistic STARTTLS (RFC
// 3207), then one or more mail transactions (MAIL, RCPT, DATA; pipelined per RFC 2920 when
// the server offers it) and QUIT. Each stage has its own time limit (Postfix's
// smtp_*_timeout). Outcomes are worded as Postfix's smtp(8) words them, so that logs,
// mailq and bounces read the same.
// Ownership: a ClientSession borrows its Connection and options; one coroutine uses it at
// a time. Not thread-safe.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/ssl/context.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "io/connection.hpp"
#include "smtp/client_message.hpp"
#include "smtp/reply.hpp"
#include "tls/peer_verification.hpp"

namespace correio::smtp {

// Postfix's defaults (postconf(5)).
struct ClientTimeouts {
  std::chrono::seconds connect{30}, helo{300}, starttls{300}, mail{300}, rcpt{300}, data_init{120},
      data_xfer{180}, data_done{600}, quit{300}, rset{20};
};

// smtp_tls_security_level (Postfix's TLS_README): none; may (STARTTLS when offered, no
// verification, plaintext when it fails); encrypt (STARTTLS required, no verification);
// verify (STARTTLS required, a trusted certificate whose name matches `peer.names`);
// secure (the same; the names are chosen to resist DNS forgery, see
// delivery/smtp/tls_policy.hpp). Ordered: a level is at least as strict as those before.
enum class TlsLevel { none, may, encrypt, verify, secure };

struct ClientOptions {
  std::string helo_name;
  ClientTimeouts timeouts;
  TlsLevel tls = TlsLevel::none;
  asio::ssl::context* tls_context = nullptr;  // needed for every level but none
  tls::PeerCheck peer;  // SNI, protocols, ciphers; names to match at verify and secure
  // RFC 2033 LMTP (Postfix's lmtp(8)): LHLO instead of EHLO, and after the message one
  // reply per accepted recipient instead of one for the transaction.
  bool lmtp = false;
};

// Which SASL mechanisms the client may use (smtp_sasl_security_options or, under TLS,
// smtp_sasl_tls_security_options; smtp_sasl_mechanism_filter).
struct SaslRules {
  bool plaintext = false;           // PLAIN and LOGIN (no "noplaintext")
  bool mutual_only = false;         // "mutual_auth": only mechanisms where the server proves itself
  std::vector<std::string> filter;  // upper case; empty: whatever the server offers
};

// How one recipient (or the whole attempt) ended.
enum class Verdict { sent, deferred, bounced };

struct Outcome {
  Verdict verdict = Verdict::deferred;
  std::string dsn;         // "2.0.0", "4.4.1", "5.1.1"
  std::string text;        // "host mx[192.0.2.1] said: 550 ... (in reply to RCPT TO command)"
  std::string diagnostic;  // the server's reply for RFC 3464 Diagnostic-Code, or ""
  // Another MX host may do better: a failure of this server (connection, greeting, TLS)
  // or any 4xx (MAIL, RCPT, DATA, the end of data), as Postfix's smtp keeps such
  // recipients for the next server unless this one is the last.
  bool try_next_host = false;
};

// Connects to address:port within `timeout`, from `bind_address` when not empty. Errors
// read "connect to HOST[ADDR]:PORT: Connection refused" (`label` is "HOST[ADDR]").
asio::awaitable<Result<asio::ip::tcp::socket>> connect_to(
    asio::any_io_executor executor, const std::string& address, unsigned short port,
    const std::string& bind_address, std::chrono::seconds timeout, const std::string& label);

// The same for a UNIX-domain server (LMTP's "unix:/path"): errors read "connect to
// LABEL: No such file or directory".
asio::awaitable<Result<asio::local::stream_protocol::socket>> connect_unix(
    asio::any_io_executor executor, const std::string& path, std::chrono::seconds timeout,
    const std::string& label);

struct OutgoingRecipient {
  std::string address;
  RcptOptions options;
};

struct Transaction {
  std::string sender;
  MailOptions mail;
  std::vector<OutgoingRecipient> recipients;
  std::string_view content;  // the message, LF or CRLF line ends, not yet dot-stuffed
};

class ClientSession {
 public:
  // `label` names the server in every text: "mx.example.com[192.0.2.1]". The options are
  // copied: each connection may have its own TLS policy.
  ClientSession(io::Connection& connection, std::string label, ClientOptions options);

  // Greeting, EHLO/HELO and STARTTLS (per options). nullopt: ready for transactions.
  // `tls_failed` is set when the TLS handshake failed under "may": the caller may retry
  // the same server without TLS (Postfix's plaintext fallback). At verify and secure, a
  // certificate that is not trusted or does not match ends the session with Postfix's
  // 4.7.5 "Server certificate not verified" (peer() says why; another MX may do better).
  asio::awaitable<std::optional<Outcome>> open(bool allow_tls, bool& tls_failed);

  // RFC 4954 AUTH after open() with the best mechanism the server offers and `rules`
  // allow: SCRAM-SHA-256-PLUS over TLS, SCRAM-SHA-256 (RFC 7677), PLAIN (RFC 4616), LOGIN. nullopt:
  // authenticated. A failure defers (4.7.x) and names the server and its reply, never the
  // credentials (client_auth.cpp). `rules` must outlive the call.
  asio::awaitable<std::optional<Outcome>> authenticate(const std::string& user,
                                                       const std::string& password,
                                                       const SaslRules& rules);
  // The mechanism of the last successful authenticate(), "" before.
  const std::string& sasl_mechanism() const { return sasl_mechanism_; }

  // One transaction; an outcome per recipient, in order. When the session cannot go on
  // (usable() false) the caller should not start another.
  asio::awaitable<std::vector<Outcome>> send(const Transaction& transaction);

  // RSET (RFC 5321 §4.1.1.5) before a kept session carries another request: true when
  // the server still answers 250; otherwise the session is no longer usable.
  asio::awaitable<bool> reset();

  // QUIT, waiting for the reply within smtp_quit_timeout; errors are ignored (RFC 5321
  // §4.1.1.10: the mail is already accepted).
  asio::awaitable<void> quit();

  bool usable() const { return usable_; }
  const ServerFeatures& features() const { return features_; }
  // The host name the server's EHLO (or HELO) reply begins with; "" before it.
  const std::string& server_name() const { return server_name_; }
  // "TLSv1.3 with cipher ..." once TLS is up; "" otherwise.
  std::string tls_description() const { return connection_.tls_description(); }
  // The certificate verdict once TLS is up (every level: "Trusted" at may is logged too).
  const std::optional<tls::PeerVerdict>& peer() const { return peer_; }

  struct Stage;  // what a step was doing, for the texts (detail: client_session.cpp)

 private:
  struct Read {
    std::optional<Reply> reply;
    std::string problem;  // "timed out", "lost connection", "malformed reply"
  };
  asio::awaitable<Read> read_reply(std::chrono::seconds timeout);
  // Writes `bytes`; false when the peer is gone or a piece made no progress in `timeout`.
  asio::awaitable<bool> write(std::string_view bytes, std::chrono::seconds timeout);
  // Writes `line` and CRLF, then reads the reply (AUTH's exchanges).
  asio::awaitable<Read> exchange(std::string_view line, std::chrono::seconds timeout);
  // The outcome of a step: judged by its reply, or the reason there was none.
  Outcome failure(const Read& read, const Stage& stage) const;
  Outcome reply_outcome(const Reply& reply, std::string_view stage) const;
  asio::awaitable<std::optional<Outcome>> hello();
  // The SCRAM-SHA-256[-PLUS] dialogue after the mechanism was chosen (client_auth.cpp).
  asio::awaitable<Read> scram(const std::string& mechanism, const std::string& user,
                              const std::string& password, std::string& problem);
  // The TLS channel's binding type and data for -PLUS; nullopt without TLS.
  std::optional<std::pair<std::string, std::string>> channel_binding() const;
  asio::awaitable<std::optional<Outcome>> lhlo();
  // LMTP's replies after the message, one per accepted recipient (RFC 2033 §4.2).
  asio::awaitable<std::vector<Outcome>> lmtp_replies(std::vector<Outcome> results,
                                                     const std::vector<size_t>& accepted);
  // DATA and the message; `content` is the transaction's, or its 7-bit downgrade.
  asio::awaitable<std::vector<Outcome>> data(std::string_view content, std::vector<Outcome> results,
                                             const std::vector<size_t>& accepted);

  io::Connection& connection_;
  std::string label_;
  ClientOptions options_;
  ServerFeatures features_;
  std::string server_name_;
  std::string write_problem_ = "lost connection";  // why the last write() failed
  std::optional<tls::PeerVerdict> peer_;
  std::string sasl_mechanism_;
  bool usable_ = false;
};

}  // namespace correio::smtp
