// The SMTP session: what comes before the greeting (implicit TLS, pregreet), smtpd's
// dispatch table for the shared command loop (smtp/command_loop.hpp), and STARTTLS.
#include "smtpd/session.hpp"

#include <openssl/ssl.h>

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>

#include "base/strings.hpp"
#include "smtp/address.hpp"

namespace correio::smtpd {

namespace {

// Postfix's smtpd error limits and wording over the shared loop.
smtp::CommandLoop::Options loop_options(const Settings& settings, const Services& services) {
  smtp::CommandLoop::Options options;
  if (services.counters) options.reply_counters = &services.counters->replies;
  options.line_limit = static_cast<size_t>(settings.line_length_limit);
  options.hostname = settings.myhostname;
  options.soft_error_limit = settings.soft_error_limit;
  options.error_sleep = settings.error_sleep;
  options.hard_error_limit = settings.hard_error_limit;
  options.junk_command_limit = settings.junk_command_limit;
  options.soft_bounce = settings.soft_bounce;
  options.tls_required = settings.tls_level == TlsLevel::encrypt;
  if (settings.per_request_deadline) options.request_deadline = settings.timeout;
  return options;
}

}  // namespace

Session::Session(const Settings& settings, base::Logger& log, Services& services,
                 io::Connection& connection)
    : settings_(settings),
      log_(log),
      sink_(services.sink),
      recipients_(services.recipients),
      services_(services),
      conn_(connection),
      loop_(connection, log, loop_options(settings, services)) {
  client_address_ = conn_.remote_address();
  server_address_ = conn_.local_address();
  loop_.set_client_label(client_label());
}

std::string Session::client_label() const {
  std::string label = client_name_ + "[" + conn_.remote_address() + "]";
  // smtpd_client_port_logging: Postfix's "host[address]:port".
  if (settings_.client_port_logging) label += ":" + std::to_string(conn_.remote_port());
  return label;
}

std::optional<smtp::Reply> Session::rate_limited(ClientEvent event) {
  return services_.rates.check(event, conn_.remote_address(), client_label());
}

bool Session::pipelining_violation(std::string_view after_verb) {
  if (!settings_.forbid_unauth_pipelining || !conn_.has_buffered_input()) return false;
  log_.info("improper command pipelining after {} from {}", after_verb, client_label());
  return true;
}

asio::awaitable<void> Session::run() {
  conn_.set_timeout(settings_.timeout);

  if (settings_.tls_wrappermode) {
    // smtpd_client_new_tls_session_rate_limit in wrapper mode: Postfix answers in clear
    // text before the handshake, and ends the session.
    auto over = services_.rates.check_new_tls(conn_.remote_address(), client_label(), true);
    if (over) {
      std::string wire = over->to_wire();
      co_await conn_.write(wire);
      co_await conn_.drain_and_close();
      log_.info("disconnect from {} commands=0", client_label());
      co_return;
    }
    bool secured = co_await handshake();
    if (!secured) co_return;
  }
  // Input before the greeting is a spambot's tell (RFC 5321 §4.3.1: the client waits).
  // (With implicit TLS the client speaks first, its ClientHello; the check is for SMTP.)
  // With smtpd_greet_wait the banner waits, and input that arrives meanwhile counts too
  // (a client sending 100 ms into a 1 s wait is as early as one sending at connect).
  bool pregreet = false;
  if (settings_.forbid_unauth_pipelining && !settings_.tls_wrappermode) {
    std::error_code ec;
    if (settings_.greet_wait.count() > 0 && co_await conn_.wait_readable(settings_.greet_wait)) {
      // Readable with nothing to read: the client left during the wait.
      if (conn_.socket().available(ec) == 0 || ec) {
        log_.info("lost connection after CONNECT from {}", client_label());
        log_.info("disconnect from {} commands=0", client_label());
        co_return;
      }
    }
    pregreet = conn_.socket().available(ec) > 0;
  }
  if (pregreet) {
    log_.info("improper command pipelining after CONNECT from {}", client_label());
    co_await conn_.write("554 5.5.0 Error: SMTP protocol synchronization\r\n");
    co_await conn_.drain_and_close();
    log_.info("disconnect from {} commands=0", client_label());
    co_return;
  }
  // Postfix sends the milters' connect event before the greeting.
  co_await milter_connect();
  bool greeted = co_await greet();
  if (!greeted) {
    co_await milter_quit();
    co_return;
  }

  // RFC 5321 §4.1 with RFC 3207 (STARTTLS), RFC 4954 (AUTH) and RFC 3030 (BDAT).
  using smtp::command_flag::junk;
  using smtp::command_flag::pre_tls;
  static constexpr smtp::CommandEntry<Session> kCommands[] = {
      {"EHLO", &Session::cmd_ehlo, pre_tls},
      {"HELO", &Session::cmd_helo, pre_tls},  // Postfix allows HELO before STARTTLS too
      {"MAIL", &Session::cmd_mail},
      {"RCPT", &Session::cmd_rcpt},
      {"DATA", &Session::cmd_data},
      {"BDAT", &Session::cmd_bdat},
      {"RSET", &Session::cmd_rset, junk},
      {"NOOP", &Session::cmd_noop, pre_tls | junk},
      {"VRFY", &Session::cmd_vrfy, junk},
      {"HELP", &Session::cmd_help},
      {"QUIT", &Session::cmd_quit, pre_tls},
      {"STARTTLS", &Session::cmd_starttls, pre_tls},
      {"AUTH", &Session::cmd_auth},
      {"ETRN", &Session::cmd_etrn, junk},  // RFC 1985; junk as in Postfix's junk_command_limit
      {"BURL", &Session::cmd_burl},        // RFC 4468, cmd_burl.cpp
  };
  co_await loop_.run(*this, std::span<const smtp::CommandEntry<Session>>(kCommands));
  reset_transaction();  // an unfinished queue file never outlives its session
  co_await milter_quit();
}

asio::awaitable<Session::Next> Session::cmd_ehlo(const Command& command) {
  co_return co_await cmd_helo(command, true);
}

asio::awaitable<Session::Next> Session::cmd_helo(const Command& command) {
  co_return co_await cmd_helo(command, false);
}

asio::awaitable<bool> Session::handshake() {
  std::string error;
  auto context = settings_.tls->context();
  bool started = co_await conn_.start_tls(*context, error);
  if (!started) {
    log_.warning("TLS handshake failed from {}: {}", client_label(), error);
    log_.info("lost connection after {} from {}", loop_.last_verb(), client_label());
    co_return false;
  }
  // A resumed session costs no full handshake and is not counted (Postfix counts only
  // sessions it did not find in its cache).
  if (!conn_.tls_resumed()) services_.rates.count_new_tls(conn_.remote_address());
  if (services_.counters) services_.counters->registry.count_tls_handshake(conn_.tls_protocol());
  tls_protocol_ = conn_.tls_protocol();
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(conn_.tls_handle())) {
    tls_cipher_ = SSL_CIPHER_get_name(cipher);
    tls_keysize_ = SSL_CIPHER_get_bits(cipher, nullptr);
  }
  // smtpd_tls_loglevel 0 (Postfix's default) logs no TLS activity; 1 and up the summary.
  if (settings_.tls_loglevel >= 1)
    log_.info("Anonymous TLS connection established from {}: {}", client_label(),
              conn_.tls_description());
  co_return true;
}

// RFC 3207: STARTTLS, then the session starts over (no HELO, no transaction).
asio::awaitable<Session::Next> Session::cmd_starttls(const Command& command) {
  std::optional<smtp::Reply> refusal;
  if (!command.argument.empty())
    refusal = smtp::Reply(501, "5.5.4", "Syntax: STARTTLS");
  else if (conn_.tls_active())
    refusal = smtp::Reply(554, "5.5.1", "Error: TLS already active");
  else if (!settings_.tls || !settings_.ehlo_keyword("STARTTLS"))
    refusal = smtp::Reply(502, "5.5.1", "Error: command not implemented");
  if (!refusal)  // smtpd_client_new_tls_session_rate_limit: 454, the session goes on
    refusal = services_.rates.check_new_tls(conn_.remote_address(), client_label(), false);
  if (refusal) co_return co_await reply(*refusal);
  if (pipelining_violation("STARTTLS")) {
    co_await conn_.write("554 5.5.0 Error: SMTP protocol synchronization\r\n");
    co_await conn_.drain_and_close();
    co_return Next::close;
  }
  Next next = co_await reply(220, "2.0.0", "Ready to start TLS");
  if (next == Next::close) co_return next;
  bool secured = co_await handshake();
  if (!secured) co_return Next::close;
  // RFC 3207 §4.2: forget everything learned before TLS, a login included.
  reset_transaction();
  helo_name_.clear();
  esmtp_ = false;
  sasl_username_.clear();
  sasl_method_.clear();
  co_return Next::proceed;
}

asio::awaitable<Session::Next> Session::reply(int code, std::string_view enhanced,
                                              std::string_view text) {
  co_return co_await reply(smtp::Reply(code, enhanced, text));
}

asio::awaitable<Session::Next> Session::reply(const smtp::Reply& r) {
  co_return co_await loop_.reply(r);  // soft_bounce is applied there
}

void Session::reset_transaction() {
  envelope_.reset();
  effects_.reset_transaction();
  writer_.reset();  // an unfinished queue file is removed by its writer
  cleanup_.reset();
  inspector_.reset();
  queue_id_.clear();
  message_size_ = 0;
  message_too_big_ = false;
  write_failed_ = false;
  bdat_failed_ = false;
  bdat_refusal_.reset();
  milter_content_.reset();
  milter_verdict_.reset();
}

void Session::log_reject(std::string_view stage, const smtp::Reply& r, std::string_view recipient) {
  std::string text = r.lines.empty() ? std::string() : r.lines.front();
  std::string from = envelope_ ? envelope_->sender : std::string();
  log_.info("NOQUEUE: reject: {} from {}: {} {} {}; from=<{}> to=<{}> proto={} helo=<{}>", stage,
            client_label(), r.code, r.enhanced, text, from, recipient, esmtp_ ? "ESMTP" : "SMTP",
            helo_name_);
}

asio::awaitable<void> serve(const Settings& settings, base::Logger& log, Services& services,
                            asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  connection.set_timeout(settings.timeout);  // also bounds the 421 to a refused client
  Admission admitted = co_await services.admission.admit(connection);
  if (!admitted.admitted) co_return;
  Session session(settings, log, services, connection);
  session.set_client_name(admitted.client_name, admitted.reverse_name);
  co_await session.run();
}

}  // namespace correio::smtpd
