// One SMTP server session (RFC 5321): a straight-line coroutine that runs the shared
// command loop (smtp/command_loop.hpp) over a dispatch table, one member function per
// command family.
// Private to smtpd; the daemon entry (smtpd_main.cpp) creates one per connection.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/thread_pool.hpp>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_protocol.hpp"
#include "auth/sasl.hpp"
#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "cleanup/address_rewrite.hpp"
#include "cleanup/content_inspector.hpp"
#include "cleanup/header_cleanup.hpp"
#include "io/connection.hpp"
#include "milter/milters.hpp"
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
// What smtpd counts for the metrics exporter (no-ops unless metrics_enable); used from
// the event-loop thread only.
struct SessionCounters {
  smtp::ReplyCounters replies;
  metrics::Counter received;    // correio_smtpd_messages_received_total
  metrics::Registry& registry;  // TLS versions, looked up per handshake
};

struct Services {
  MessageSink& sink;
  RecipientCheck& recipients;
  Restrictions& restrictions;
  // BURL's users (to find a URL's mail store); nullptr when BURL is not configured.
  auth::UserDirectory* burl_users;
  ClientAdmission& admission;          // reverse DNS, "connect from", the connection count limit
  RateLimits& rates;                   // anvil's per-client rate limits (smtpd/rate_limits.hpp)
  cleanup::AddressRewriter& rewriter;  // envelope and header address rewriting
  const HeaderRewriteClients& header_clients;  // whose headers get rewritten
  // header_checks and the other content inspection tables; nullptr when none is set.
  const cleanup::CheckTables* checks = nullptr;
  EtrnService* etrn = nullptr;                // ETRN's sites and queue (etrn.hpp); nullptr: no ETRN
  const milter::Settings* milters = nullptr;  // smtpd_milters; nullptr: none
  // milter_header_checks (the header slot only); nullptr: none.
  const cleanup::CheckTables* milter_checks = nullptr;
  SessionCounters* counters = nullptr;  // for the metrics exporter; nullptr: not counted
  // Where BURL reads the mail store (RFC 4468), off the event loop; nullptr without
  // imapd_urlauth_host (no BURL), or in tests that run everything on the loop.
  asio::thread_pool* store_workers = nullptr;
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
  asio::awaitable<Result<std::string>> burl_content(std::string_view url, smtp::Reply& refusal);
  // The SASL mechanisms this connection may use now (TLS, smtpd_sasl_*security_options).
  auth::SaslOffer sasl_offer(bool tls_active) const;
  // Whether EHLO announces AUTH now.
  bool auth_offered() const;
  // The failure reply after a failed exchange (the auth service has waited out the
  // throttle's delay).
  asio::awaitable<Next> auth_failed(std::string_view mechanism,
                                    const auth::protocol::Failure& failure);
  // The auth service cannot be reached or broke its protocol: 454 4.7.0 and a warning.
  asio::awaitable<Next> auth_unavailable(const Error& error);
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
  // smtpd_milters (session_milter.cpp): each stage's event; a reply when the milters
  // refuse the command (a DISCARD is recorded in effects_ and gives no reply).
  asio::awaitable<void> milter_connect();
  asio::awaitable<std::optional<smtp::Reply>> milter_helo(std::string_view helo);
  asio::awaitable<std::optional<smtp::Reply>> milter_mail(const std::string& argument);
  asio::awaitable<std::optional<smtp::Reply>> milter_rcpt(const std::string& argument,
                                                          const std::string& address);
  asio::awaitable<std::optional<smtp::Reply>> milter_data();
  // The held content through the milters, their edits applied, then into the queue file;
  // a reply when the message ends here (rejected, discarded, or the queue refused).
  asio::awaitable<std::optional<smtp::Reply>> milter_end_of_message();
  asio::awaitable<void> milter_abort();  // the transaction ended before its end of message
  asio::awaitable<void> milter_quit();   // the session ends
  asio::awaitable<std::optional<smtp::Reply>> milter_stage(milter::Verdict verdict,
                                                           std::string_view stage,
                                                           std::string_view recipient);
  std::optional<smtp::Reply> apply_envelope_edits(const milter::EnvelopeEdits& edits);
  // milter_header_checks over the header fields in `message` that are not in `before`
  // (what the milters added or changed): IGNORE removes a field, REJECT/DISCARD end the
  // message (the reply), the rest is recorded for record_decisions()
  // (milter_header_checks.cpp).
  std::optional<smtp::Reply> check_milter_headers(const std::vector<std::string>& before,
                                                  milter::Message& message);
  std::optional<std::string> milter_macro(std::string_view name) const;
  static std::vector<std::string> milter_arguments(const std::string& argument);
  // Content into the queue file, or into milter_content_ while milters are to see it.
  Status write_content(std::string_view content);
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
  // reject_unauth_pipelining's memory (Postfix's SMTPD_FLAG_ILL_PIPELINING): a client
  // that did not say EHLO sent a command with more input behind it. Noted when HELO,
  // MAIL, RCPT and DATA arrive; it lasts for the session.
  void note_pipelining() { illegal_pipelining_ |= !esmtp_ && conn_.has_buffered_input(); }
  bool illegal_pipelining_ = false;

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
  std::string server_address_;  // conn_.local_address(), kept for the access Facts' views
  // The TLS session for the policy protocol's encryption_*; empty/0 without TLS.
  std::string tls_protocol_, tls_cipher_;
  int tls_keysize_ = 0;
  // The policy protocol's "instance": one per mail transaction (Postfix's smtpd_state
  // instance), new at each MAIL FROM.
  std::string instance_;
  unsigned transactions_ = 0;
  int64_t session_started_ = ::time(nullptr);

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
  std::optional<smtp::Reply> bdat_refusal_;   // smtpd_data_restrictions refused the BDATs
  access::Effects effects_;                   // DISCARD, REDIRECT, PREPEND from the restrictions
  std::unique_ptr<milter::Milters> milters_;  // null without smtpd_milters
  std::optional<smtp::Reply> milter_connect_refusal_;    // a milter refused the connection
  std::optional<std::string> milter_content_;            // the message, held for the milters
  std::optional<cleanup::CheckVerdict> milter_verdict_;  // milter_header_checks' verdict
  std::string milter_recipient_;                         // {rcpt_addr} during the RCPT event
};

// The whole session for one accepted connection.
asio::awaitable<void> serve(const Settings& settings, base::Logger& log, Services& services,
                            asio::ip::tcp::socket socket);

}  // namespace correio::smtpd
