// The SMTP session loop: greeting, command reading with limits, dispatch table, error
// limits, timeouts and the connect/disconnect log lines in Postfix's wording.
#include "smtpd/session.hpp"

#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>

#include "base/strings.hpp"
#include "smtp/address.hpp"

namespace correio::smtpd {

Session::Session(const Settings& settings, base::Logger& log, Services& services,
                 io::Connection& connection)
    : settings_(settings),
      log_(log),
      sink_(services.sink),
      recipients_(services.recipients),
      services_(services),
      conn_(connection) {}

std::string Session::client_label() const {
  std::string label = client_name_ + "[" + conn_.remote_address() + "]";
  // smtpd_client_port_logging: Postfix's "host[address]:port".
  if (settings_.client_port_logging) label += ":" + std::to_string(conn_.remote_port());
  return label;
}

bool Session::pipelining_violation(std::string_view after_verb) {
  if (!settings_.forbid_unauth_pipelining || !conn_.has_buffered_input()) return false;
  log_.info("improper command pipelining after {} from {}", after_verb, client_label());
  return true;
}

asio::awaitable<void> Session::run() {
  conn_.set_timeout(settings_.timeout);

  if (settings_.tls_wrappermode) {
    bool secured = co_await handshake();
    if (!secured) co_return;
  }
  // Input before the greeting is a spambot's tell (RFC 5321 §4.3.1: the client waits).
  // (With implicit TLS the client speaks first, its ClientHello; the check is for SMTP.)
  std::error_code ec;
  bool pregreet = settings_.forbid_unauth_pipelining && !settings_.tls_wrappermode &&
                  conn_.socket().available(ec) > 0;
  if (pregreet) {
    log_.info("improper command pipelining after CONNECT from {}", client_label());
    co_await conn_.write("554 5.5.0 Error: SMTP protocol synchronization\r\n");
    co_await conn_.drain_and_close();
    log_.info("disconnect from {} commands=0", client_label());
    co_return;
  }
  if (!co_await conn_.write("220 " + settings_.banner + "\r\n")) {
    log_.info("lost connection after CONNECT from {}", client_label());
    co_return;
  }

  for (;;) {
    io::LineResult input =
        co_await conn_.read_line(static_cast<size_t>(settings_.line_length_limit));
    if (input.status == io::ReadStatus::timeout) {
      log_.info("timeout after {} from {}", last_verb_, client_label());
      co_await conn_.write("421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded\r\n");
      break;
    }
    if (input.status == io::ReadStatus::closed) {
      log_.info("lost connection after {} from {}", last_verb_, client_label());
      break;
    }
    if (input.status == io::ReadStatus::too_long) {
      if (co_await reply(500, "5.5.0", "Error: line too long") == Next::close) break;
      continue;
    }
    std::string_view line = input.line;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    Command command;
    size_t space = line.find(' ');
    command.verb = base::to_lower(line.substr(0, space));
    for (char& c : command.verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (space != std::string_view::npos)
      command.argument = std::string(base::trim(line.substr(space + 1)));
    if (co_await dispatch(command) == Next::close) break;
  }

  reset_transaction();  // an unfinished queue file never outlives its session
  std::string summary;
  for (const auto& [verb, n] : counts_)
    summary += " " + base::to_lower(verb) + "=" + std::to_string(n);
  log_.info("disconnect from {}{} commands={}", client_label(), summary, total_commands_);
}

asio::awaitable<Session::Next> Session::dispatch(const Command& command) {
  using Handler = asio::awaitable<Next> (Session::*)(const Command&);
  struct Entry {
    std::string_view verb;
    Handler handler;
  };
  static const Entry table[] = {
      {"MAIL", &Session::cmd_mail}, {"RCPT", &Session::cmd_rcpt},
      {"DATA", &Session::cmd_data}, {"BDAT", &Session::cmd_bdat},
      {"RSET", &Session::cmd_rset}, {"NOOP", &Session::cmd_noop},
      {"VRFY", &Session::cmd_vrfy}, {"HELP", &Session::cmd_help},
      {"QUIT", &Session::cmd_quit}, {"STARTTLS", &Session::cmd_starttls},
      {"AUTH", &Session::cmd_auth},
  };
  ++total_commands_;
  auto count = [this](std::string_view verb) {
    for (auto& [v, n] : counts_)
      if (v == verb) return void(++n);
    counts_.emplace_back(std::string(verb), 1);
  };
  if (command.verb == "EHLO" || command.verb == "HELO") {
    count(command.verb);
    last_verb_ = command.verb;
    co_return co_await cmd_helo(command, command.verb == "EHLO");
  }
  Handler handler = nullptr;
  for (const auto& entry : table)
    if (entry.verb == command.verb) handler = entry.handler;
  if (handler) {
    count(command.verb);
    last_verb_ = command.verb;
    // RFC 3207 §4: with mandatory TLS, "530 Must issue a STARTTLS command first" to every
    // command other than NOOP, EHLO, STARTTLS or QUIT (Postfix allows HELO as well, above).
    // AUTH included: on such a port no password may cross the wire in clear text.
    bool pre_tls = command.verb == "NOOP" || command.verb == "STARTTLS" || command.verb == "QUIT";
    if (settings_.tls_level == TlsLevel::encrypt && !conn_.tls_active() && !pre_tls)
      co_return co_await reply(530, "5.7.0", "Must issue a STARTTLS command first");
    co_return co_await (this->*handler)(command);
  }
  count("unknown");
  last_verb_ = "UNKNOWN";
  co_return co_await reply(502, "5.5.2", "Error: command not recognized");
}

asio::awaitable<bool> Session::handshake() {
  std::string error;
  auto context = settings_.tls->context();
  bool started = co_await conn_.start_tls(*context, error);
  if (!started) {
    log_.warning("TLS handshake failed from {}: {}", client_label(), error);
    log_.info("lost connection after {} from {}", last_verb_, client_label());
    co_return false;
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

asio::awaitable<Session::Next> Session::reply(const smtp::Reply& original) {
  // soft_bounce (Postfix's smtpd_chat_reply): no permanent refusal, 5xx goes out as 4xx.
  smtp::Reply r = original;
  if (settings_.soft_bounce && r.code >= 500) {
    r.code -= 100;
    if (r.enhanced.starts_with("5")) r.enhanced[0] = '4';
  }
  if (r.code >= 400) {
    ++errors_;
    if (errors_ >= settings_.hard_error_limit) {
      log_.info("too many errors after {} from {}", last_verb_, client_label());
      co_await conn_.write(r.to_wire());
      co_await conn_.write("421 4.7.0 " + settings_.myhostname + " Error: too many errors\r\n");
      co_return Next::close;
    }
    // Tarpit: past the soft limit every error costs the client smtpd_error_sleep_time.
    if (errors_ >= settings_.soft_error_limit && settings_.error_sleep.count() > 0) {
      asio::steady_timer timer(conn_.socket().get_executor());
      timer.expires_after(settings_.error_sleep);
      co_await timer.async_wait(asio::use_awaitable);
    }
  }
  if (!co_await conn_.write(r.to_wire())) {
    log_.info("lost connection after {} from {}", last_verb_, client_label());
    co_return Next::close;
  }
  co_return Next::proceed;
}

void Session::reset_transaction() {
  envelope_.reset();
  writer_.reset();  // an unfinished queue file is removed by its writer
  cleanup_.reset();
  queue_id_.clear();
  message_size_ = 0;
  message_too_big_ = false;
  write_failed_ = false;
  bdat_failed_ = false;
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
  session.set_client_name(admitted.client_name);
  co_await session.run();
}

}  // namespace correio::smtpd
