// The AUTHORIZATION state: CAPA (RFC 2449 §5), STLS (RFC 2595 §4), USER/PASS (RFC 1939
// §7), AUTH (RFC 5034), APOP (refused: it needs plaintext-equivalent passwords), QUIT.
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>

#include "auth/login_log.hpp"
#include "base/base64.hpp"
#include "pop3d/session.hpp"
#include "store/mailbox_path.hpp"
#include "store/maildir_name.hpp"

namespace correio::pop3d {
namespace {

constexpr std::string_view kCleartextRefused =
    "[AUTH] Plaintext authentication disallowed on non-secure connections.";
constexpr std::string_view kAuthFailed = "[AUTH] Authentication failed.";

}  // namespace

bool Session::cleartext_allowed() const {
  // USER/PASS is a PLAIN login to Dovecot's auth: without "plain" in auth_mechanisms it is off.
  return (conn_.tls_active() || settings_.allow_cleartext) && settings_.mechanisms.plain;
}

auth::SaslOffer Session::sasl_offer() const {
  auth::SaslOffer offer;
  offer.tls_active = conn_.tls_active();
  offer.allow_plaintext = conn_.tls_active() || settings_.allow_cleartext;
  offer.configured = settings_.mechanisms;
  offer.bindings.tls_exporter = conn_.tls_exporter_binding();
  offer.bindings.tls_server_end_point = conn_.tls_server_end_point_binding();
  return offer;
}

asio::awaitable<Session::Next> Session::cmd_capa(const Command&) {
  std::string out = "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n";
  if (state_ == State::authorization) {
    if (settings_.tls && !conn_.tls_active()) out += "STLS\r\n";
    if (cleartext_allowed()) out += "USER\r\n";
    std::string mechanisms = auth::offered_mechanism_list(sasl_offer());
    if (!mechanisms.empty()) out += "SASL " + mechanisms + "\r\n";
  }
  out += ".\r\n";
  co_return co_await send(out);
}

asio::awaitable<Session::Next> Session::cmd_stls(const Command& command) {
  if (!command.args.empty()) co_return co_await err("STLS takes no arguments.");
  if (conn_.tls_active()) co_return co_await err("TLS is already active.");
  if (!settings_.tls) co_return co_await err("TLS support isn't enabled.");
  Next next = co_await ok("Begin TLS negotiation now.");
  if (next == Next::close) co_return next;
  // RFC 2595 §4: the session starts over; nothing said in the clear carries over.
  pending_user_.clear();
  bool secured = co_await handshake();
  co_return secured ? Next::proceed : Next::close;
}

asio::awaitable<Session::Next> Session::cmd_user(const Command& command) {
  if (!cleartext_allowed()) {
    ++auth_attempts_;
    co_return co_await err(kCleartextRefused);
  }
  if (command.args.size() != 1) co_return co_await err("USER takes exactly one argument.");
  pending_user_ = command.args[0];
  co_return co_await ok("");
}

asio::awaitable<Session::Next> Session::cmd_pass(const Command& command) {
  if (!cleartext_allowed()) {
    ++auth_attempts_;
    co_return co_await err(kCleartextRefused);
  }
  if (pending_user_.empty()) co_return co_await err("No username given.");
  std::string user = std::move(pending_user_);
  pending_user_.clear();
  if (command.args.empty()) co_return co_await err("No password given.");
  // RFC 1939 §7: the password may contain spaces; it is the rest of the line.
  std::string password = command.args[0];
  for (size_t i = 1; i < command.args.size(); ++i) password += " " + command.args[i];
  ++auth_attempts_;
  auto now = std::chrono::steady_clock::now();
  if (services_.logins.throttle().blocked(conn_.remote_address(), now)) {
    services_.log.warning("{}", services_.logins.throttle().refusal_log(
                                    user, conn_.remote_address(), conn_.remote_address(), now));
    co_return co_await err("[SYS/TEMP] Too many failed logins; try again later.");
  }
  auto verdict = services_.logins.sasl().check_password(user, password);
  if (!verdict.ok())
    co_return co_await login_failed(user, "PLAIN", verdict.failure, verdict.reason);
  co_return co_await login(verdict.username, "PLAIN");
}

asio::awaitable<Session::Next> Session::cmd_auth(const Command& command) {
  auth::SaslOffer offer = sasl_offer();
  if (command.args.empty()) {
    // The mechanism list without a mechanism (RFC 1734 clients, Dovecot's answer).
    std::string out = "+OK\r\n";
    for (auto mechanism : auth::offered_mechanisms(offer))
      out += std::string(auth::sasl_mechanism_name(mechanism)) + "\r\n";
    co_return co_await send(out + ".\r\n");
  }
  if (command.args.size() > 2) co_return co_await err("Too many arguments to AUTH.");
  auto mechanism = auth::parse_sasl_mechanism(command.args[0]);
  if (!mechanism) co_return co_await err("Unsupported authentication mechanism.");
  if (auth::sasl_mechanism_is_plaintext(*mechanism) && !offer.allow_plaintext) {
    ++auth_attempts_;
    co_return co_await err(kCleartextRefused);
  }
  auto exchange = services_.logins.sasl().start(*mechanism, offer);
  if (!exchange) co_return co_await err("Unsupported authentication mechanism.");
  std::string method(auth::sasl_mechanism_name(*mechanism));
  ++auth_attempts_;
  auto now = std::chrono::steady_clock::now();
  if (services_.logins.throttle().blocked(conn_.remote_address(), now)) {
    services_.log.warning("{}", services_.logins.throttle().refusal_log(
                                    "", conn_.remote_address(), conn_.remote_address(), now));
    co_return co_await err("[SYS/TEMP] Too many failed logins; try again later.");
  }

  std::optional<std::string> response;
  if (command.args.size() == 2) {
    // RFC 5034 §4: "=" is an empty initial response.
    if (command.args[1] == "=") {
      response = std::string();
    } else {
      response = base::base64_decode(command.args[1]);
      if (!response) co_return co_await err("Invalid base64 data in initial response.");
    }
  }
  auth::SaslStep step = exchange->step(response);
  while (step.kind == auth::SaslStep::Kind::challenge) {
    if (co_await send("+ " + base::base64_encode(step.data) + "\r\n") == Next::close)
      co_return Next::close;
    // Each response line has the command's deadline, and the login deadline (counted from
    // connect): trickling a SASL response must not hold the session.
    auto deadline = std::min(std::chrono::steady_clock::now() + settings_.timeout,
                             started_ + settings_.login_timeout);
    std::optional<io::RequestScope> scope(std::in_place, conn_, deadline);
    io::LineResult line = co_await conn_.read_line(kMaxCommandLine);
    scope.reset();
    if (line.status == io::ReadStatus::too_long) co_return co_await err("Input line too long.");
    if (line.status != io::ReadStatus::ok) co_return Next::close;
    std::string_view text = line.line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text == "*") co_return co_await err("[AUTH] Authentication aborted by client.");
    auto decoded = base::base64_decode(text);
    if (!decoded) co_return co_await err("Invalid base64 data in continued response.");
    step = exchange->step(*decoded);
  }
  if (step.kind == auth::SaslStep::Kind::failure)
    co_return co_await login_failed(exchange->attempted_username(), method, step.failure,
                                    step.reason);
  co_return co_await login(exchange->username(), method);
}

asio::awaitable<Session::Next> Session::cmd_apop(const Command&) {
  co_return co_await err("APOP is not supported.");
}

asio::awaitable<Session::Next> Session::cmd_quit(const Command&) {
  if (state_ == State::authorization) {
    co_await ok("Logging out.");
    co_return Next::close;
  }
  // RFC 1939 §6: the UPDATE state; +OK only once the deletions are done.
  size_t marked = maildrop_->count() - maildrop_->live_count();
  bool updated = co_await finish_maildrop(true);
  if (!updated) {
    co_await err("[SYS/TEMP] Some deleted messages were not removed.");
    co_return Next::close;
  }
  std::string text = marked > 0 ? "Logging out, messages deleted." : "Logging out.";
  co_await ok(text);
  co_return Next::close;
}

asio::awaitable<Session::Next> Session::login_failed(std::string_view user, std::string_view method,
                                                     auth::SaslStep::Failure failure,
                                                     std::string_view reason) {
  if (failure == auth::SaslStep::Failure::temporary) {
    // Not a failed login: neither the throttle nor the "auth failed, N attempts" line
    // that fail2ban counts may take it as one.
    if (auth_attempts_ > 0) --auth_attempts_;
    log_.warning("auth: user=<{}>, method={}, {}: {}", user, method, session_label(), reason);
    co_return co_await err("[SYS/TEMP] Temporary authentication failure.");
  }
  log_.info("auth failed: user=<{}>, method={}, {}: {}", user, method, session_label(), reason);
  tried_user_ = std::string(user);
  tried_method_ = std::string(method);
  if (settings_.auth_verbose)
    log_.info("{}", auth::passdb_failure_line(settings_.passdb_driver, user, conn_.remote_address(),
                                              reason));
  auto delay = services_.logins.throttle().record_failure(conn_.remote_address(),
                                                          std::chrono::steady_clock::now());
  if (delay.count() > 0) {
    asio::steady_timer timer(conn_.socket().get_executor());
    timer.expires_after(delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  if (failure == auth::SaslStep::Failure::malformed)
    co_return co_await err("[AUTH] Invalid authentication data.");
  co_return co_await err(kAuthFailed);
}

asio::awaitable<Session::Next> Session::login(const std::string& username,
                                              std::string_view method) {
  services_.logins.throttle().record_success(conn_.remote_address());
  auto found = services_.logins.users().lookup(username);
  if (!found || !*found) {
    log_.warning("pop3({}): user directory lookup failed after login", username);
    co_return co_await err("[SYS/TEMP] Temporary authentication failure.");
  }
  const auth::UserRecord& user = **found;
  std::string owner = user.user.find('@') != std::string::npos ? user.user : username;
  auto maildir = store::virtual_maildir_path(settings_.mailbox_base, owner, user.home,
                                             settings_.mail_location);
  if (!maildir) {
    log_.warning("pop3({}): no mailbox: {}", username, maildir.error().message);
    co_return co_await err("[SYS/TEMP] Internal error occurred.");
  }
  Maildrop::Options options;
  options.lock_session = settings_.lock_session;
  options.host_part = store::maildir_host_part(settings_.myhostname);
  Maildrop::Failure failure = Maildrop::Failure::none;
  auto drop = Maildrop::open(*maildir, options, &failure);
  if (!drop) {
    if (failure == Maildrop::Failure::in_use) {
      log_.info("pop3({}): maildrop in use by another POP3 session: {}", username, session_label());
      co_return co_await err("[IN-USE] Mailbox is locked by another POP3 session.");
    }
    log_.warning("pop3({}): cannot open the maildrop: {}", username, drop.error().message);
    co_return co_await err("[SYS/TEMP] Internal error occurred.");
  }
  maildrop_ = std::move(drop.value());
  username_ = username;
  state_ = State::transaction;
  if (!resumed_) log_.info("Login: user=<{}>, method={}, {}", username, method, session_label());
  co_return co_await ok("Logged in.");
}

}  // namespace correio::pop3d
