// One SMTP server session (RFC 5321): a straight-line coroutine that runs the shared
// command loop (smtp/command_loop.hpp) over a dispatch table, one member function per
// command family.
// Private to smtpd; the daemon entry (smtpd_main.cpp) creates one per connection.
#pragma once

#include <asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sasl.hpp"
#include "base/log.hpp"
#include "cleanup/address_rewrite.hpp"
#include "cleanup/content_inspector.hpp"
#include "cleanup/header_cleanup.hpp"
#include "io/connection.hpp"
#include "service/login_services.hpp"
#include "smtp/command_loop.hpp"
#include "smtp/reply.hpp"
#include "smtpd/client_admission.hpp"
#include "smtpd/etrn.hpp"
#include "smtpd/header_rewrite_clients.hpp"
#include "smtpd/message_sink.hpp"
#include "smtpd/recipient_check.hpp"
#include "smtpd/restrictions.hpp"
#include "smtpd/settings.hpp"

namespace correio::smtpd {

// What every session borrows from the smtpd process (smtpd_main.cpp owns them all).
struct Services {
  MessageSink& sink;
  RecipientCheck& recipients;
  Restrictions& restrictions;
  service::LoginServices* logins;      // nullptr: SMTP AUTH is not offered
  ClientAdmission& admission;          // reverse DNS, "connect from", the connection count limit
  RateLimits& rates;                   // anvil's per-client rate limits (smtpd/rate_limits.hpp)
  cleanup::AddressRewriter& rewriter;  // envelope and header address rewriting
  const HeaderRewriteClients& header_clients;  // whose headers get rewritten
  // header_checks and the other content inspection tables; nullptr when none is set.
  const cleanup::CheckTables* checks = nullptr;
  EtrnService* etrn = nullptr;  // ETRN's sites and queue (etrn.hpp); nullptr: no ETRN
};

class Session {
 public:
  Session(const Settings& settings, base::Logger& log, Services& services,
          io::Connection& connection);

  // The client's verified host name ("unknown" when none); set before run().
  void set_client_name(std::string name, std::string reverse_name = "unknown") {
    client_name_ = std::move(name);
    reverse_name_ = std::move(reverse_name);
    loop_.set_client_label(client_label());
  }
  // The dialogue, after the "connect from" line (ClientAdmission logs it).
  asio::awaitable<void> run();

  // What one command handler decides about the connection.
  using Next = smtp::Next;

 private:
  using Command = smtp::Command;

  asio::awaitable<Next> cmd_ehlo(const Command& command);
  asio::awaitable<Next> cmd_helo(const Command& command);
  asio::awaitable<Next> cmd_helo(const Command& command, bool extended);
  asio::awaitable<Next> cmd_mail(const Command& command);
  asio::awaitable<Next> cmd_rcpt(const Command& command);
  asio::awaitable<Next> cmd_data(const Command& command);
  asio::awaitable<Next> cmd_bdat(const Command& command);
  asio::awaitable<Next> cmd_rset(const Command& command);
  asio::awaitable<Next> cmd_noop(const Command& command);
  asio::awaitable<Next> cmd_vrfy(const Command& command);
  asio::awaitable<Next> cmd_help(const Command& command);
  asio::awaitable<Next> cmd_quit(const Command& command);
  asio::awaitable<Next> cmd_starttls(const Command& command);
  asio::awaitable<Next> cmd_auth(const Command& command);
  asio::awaitable<Next> cmd_etrn(const Command& command);  // cmd_etrn.cpp
  // cmd_burl.cpp (RFC 4468): BURL, whether EHLO announces it, and the content a URL names
  // (an error with `refusal` set when it does not resolve).
  asio::awaitable<Next> cmd_burl(const Command& command);
  bool burl_offered() const;
  Result<std::string> burl_content(std::string_view url, smtp::Reply& refusal);
  // The SASL mechanisms this connection may use now (TLS, smtpd_sasl_*security_options).
  auth::SaslOffer sasl_offer(bool tls_active) const;
  // Whether EHLO announces AUTH now.
  bool auth_offered() const;
  // The failure reply after a failed exchange, with the throttle's delay; close when the
  // client has failed too often.
  asio::awaitable<Next> auth_failed(const auth::SaslExchange& exchange, const auth::SaslStep& step);
  // The TLS handshake and its log line; false when the session must end.
  asio::awaitable<bool> handshake();

  // Sends a reply through the loop, which counts errors and applies the soft/hard error
  // limits (Postfix's smtpd_soft_error_limit / smtpd_hard_error_limit). Returns close when
  // the client must go.
  asio::awaitable<Next> reply(int code, std::string_view enhanced, std::string_view text);
  asio::awaitable<Next> reply(const smtp::Reply& r);
  // Ends the message transaction (RFC 5321 §4.1.1.5).
  void reset_transaction();
  // cleanup's address rewriting of the envelope (cmd_rewrite.cpp); a reply when the
  // command must be refused (a table failed, an alias expansion limit was hit).
  std::optional<smtp::Reply> rewrite_sender(Envelope& envelope);
  // `canonical`: recipient.address without a trailing dot (resolve::strip_trailing_dot).
  std::optional<smtp::Reply> rewrite_recipient(Recipient& recipient, const std::string& canonical,
                                               bool& known);
  // Creates the queue file and writes the Received: header; false when the queue refused.
  bool start_message();
  // Passes content (LF line endings) through cleanup into the queue file.
  void store_content(std::string_view content);
  // Content inspection's verdict at the end of the message: the reply when the message
  // ends here (REJECT, DISCARD), else nullopt after the queue file got its hold flag and
  // recipients (cmd_data_checks.cpp).
  std::optional<smtp::Reply> carry_out_verdict();
  // HOLD, BCC/REDIRECT recipients and the content filter into the queue file, from
  // content inspection, the access actions and content_filter; before commit.
  Status record_decisions();
  // Commits the message being written and answers 250 with its queue ID, or 452.
  asio::awaitable<Next> finish_message();
  std::string client_label() const;  // "NAME[127.0.0.1]", NAME "unknown" when unverified
  // Counts `event` against this client's anvil rate limit; the refusal when it is over.
  std::optional<smtp::Reply> rate_limited(ClientEvent event);
  // What the access restrictions see now; `where` names the command in log lines.
  access::Facts access_facts(std::string_view where) const;
  // Runs the restrictions for `event`; a refusal comes back logged, to be sent.
  asio::awaitable<std::optional<smtp::Reply>> access_check(Restrictions::Event event,
                                                           const access::Facts& facts);
  // The greeting, or with smtpd_delay_reject = no a client rejection in its place.
  asio::awaitable<bool> greet();
  void log_reject(std::string_view stage, const smtp::Reply& r, std::string_view recipient);
  // RFC 2920 §3.1: input already waiting after a command that must end a pipelined group.
  bool pipelining_violation(std::string_view after_verb);

  const Settings& settings_;
  base::Logger& log_;
  MessageSink& sink_;
  RecipientCheck& recipients_;
  Services& services_;
  io::Connection& conn_;
  smtp::CommandLoop loop_;  // the greeting, reading, dispatch and error limits

  std::string client_name_ = "unknown";
  std::string reverse_name_ = "unknown";
  std::string client_address_;  // conn_.remote_address(), kept for the access Facts' views
  std::string sasl_username_;   // empty until AUTH succeeded
  std::string sasl_method_;     // "PLAIN", ...

  std::string helo_name_;
  bool esmtp_ = false;
  std::optional<Envelope> envelope_;
  std::unique_ptr<MessageWriter> writer_;
  std::optional<cleanup::HeaderCleanup> cleanup_;
  std::optional<cleanup::ContentInspector> inspector_;  // only with Services::checks
  std::string queue_id_;
  long long message_size_ = 0;
  bool message_too_big_ = false;
  bool write_failed_ = false;
  bool bdat_failed_ = false;  // a rejected BDAT: the rest of the chunks are discarded
  std::optional<smtp::Reply> bdat_refusal_;  // smtpd_data_restrictions refused the BDATs
  access::Effects effects_;                  // DISCARD, REDIRECT, PREPEND from the restrictions
};

// The whole session for one accepted connection.
asio::awaitable<void> serve(const Settings& settings, base::Logger& log, Services& services,
                            asio::ip::tcp::socket socket);

}  // namespace correio::smtpd
