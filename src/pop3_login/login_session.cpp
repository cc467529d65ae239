// The pre-login POP3 session's loop, replies and TLS (see login_session.hpp); the logins
// are in cmd_auth.cpp.
#include "pop3_login/login_session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "auth/login_log.hpp"

namespace correio::pop3_login {

LoginSession::LoginSession(Shared& shared, io::Connection& connection)
    : shared_(shared), settings_(shared.settings), log_(shared.log), conn_(connection) {}

std::string LoginSession::session_label() const {
  std::string out = fmt::format("rip={}, lip={}", conn_.remote_address(), conn_.local_address());
  if (conn_.tls_active()) out += ", TLS";
  return out;
}

bool LoginSession::cleartext_allowed() const {
  // USER/PASS is a PLAIN login to Dovecot's auth: without "plain" in auth_mechanisms it is off.
  return (conn_.tls_active() || settings_.allow_cleartext) && settings_.mechanisms.plain;
}

auth::SaslOffer LoginSession::sasl_offer() const {
  auth::SaslOffer offer;
  offer.tls_active = conn_.tls_active();
  offer.allow_plaintext = conn_.tls_active() || settings_.allow_cleartext;
  offer.configured = settings_.mechanisms;
  offer.bindings.tls_exporter = conn_.tls_exporter_binding();
  offer.bindings.tls_server_end_point = conn_.tls_server_end_point_binding();
  return offer;
}

asio::awaitable<void> LoginSession::run() {
  conn_.set_timeout(settings_.timeout);
  if (settings_.tls_wrappermode && !co_await handshake()) co_return;
  Next next = co_await send("+OK " + settings_.greeting + "\r\n");
  while (next == Next::proceed && !handed_off_) {
    // A whole command line has one deadline, and the login deadline counted from connect
    // (Dovecot disconnects a client not logged in after a fixed time).
    auto deadline = std::min(std::chrono::steady_clock::now() + settings_.timeout,
                             started_ + settings_.login_timeout);
    conn_.begin_request(deadline);
    io::LineResult input = co_await conn_.read_line(pop3d::kMaxCommandLine);
    conn_.end_request();
    if (input.status == io::ReadStatus::timeout) {
      co_await send("-ERR Disconnected for inactivity.\r\n");
      log_.info("Disconnected: Inactivity: {}", session_label());
      break;
    }
    if (input.status == io::ReadStatus::closed) break;
    if (input.status == io::ReadStatus::too_long) {
      next = co_await err("Input line too long.");
      continue;
    }
    next = co_await dispatch(pop3d::parse_command(input.line));
  }
  if (handed_off_) co_return;
  // Dovecot's pop3-login line, which fail2ban's dovecot filter counts.
  auth::UnauthenticatedEnd end{auth_attempts_, std::chrono::steady_clock::now() - started_,
                               tried_user_, tried_method_};
  log_.info("{}", auth::login_disconnect_line("pop3", end, session_label()));
}

asio::awaitable<LoginSession::Next> LoginSession::dispatch(const pop3d::Command& command) {
  const std::string& verb = command.verb;
  if (verb == "CAPA") co_return co_await cmd_capa();
  if (verb == "STLS") co_return co_await cmd_stls(command);
  if (verb == "USER") co_return co_await cmd_user(command);
  if (verb == "PASS") co_return co_await cmd_pass(command);
  if (verb == "AUTH") co_return co_await cmd_auth(command);
  if (verb == "APOP") co_return co_await err("APOP is not supported.");
  if (verb == "QUIT") {
    co_await ok("Logging out.");
    co_return Next::close;
  }
  // The TRANSACTION commands, which pop3d serves after login.
  for (std::string_view later : {"NOOP", "STAT", "LIST", "UIDL", "RETR", "TOP", "DELE", "RSET"})
    if (verb == later) co_return co_await err("Unknown command.");
  // The verb is echoed only when it is a printable keyword of sane length.
  bool printable = !verb.empty() && verb.size() <= pop3d::kMaxKeyword;
  for (char c : verb)
    if (c < '!' || c > '~') printable = false;
  if (printable) co_return co_await err("Unknown command: " + verb);
  co_return co_await err("Unknown command.");
}

asio::awaitable<LoginSession::Next> LoginSession::cmd_capa() {
  std::string out = "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n";
  if (settings_.tls && !conn_.tls_active()) out += "STLS\r\n";
  if (cleartext_allowed()) out += "USER\r\n";
  std::string mechanisms = auth::offered_mechanism_list(sasl_offer());
  if (!mechanisms.empty()) out += "SASL " + mechanisms + "\r\n";
  out += ".\r\n";
  co_return co_await send(out);
}

asio::awaitable<LoginSession::Next> LoginSession::cmd_stls(const pop3d::Command& command) {
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

asio::awaitable<LoginSession::Next> LoginSession::ok(std::string_view text) {
  // Built first: GCC 12 miscompiles temporaries of ?: inside a co_await expression.
  std::string line = text.empty() ? std::string("+OK\r\n") : fmt::format("+OK {}\r\n", text);
  co_return co_await send(line);
}

asio::awaitable<LoginSession::Next> LoginSession::err(std::string_view text) {
  Next next = co_await send(fmt::format("-ERR {}\r\n", text));
  if (next == Next::close) co_return next;
  // Dovecot's limit: a client sending garbage is cut off after a number of errors.
  if (++bad_commands_ >= settings_.max_bad_commands) {
    co_await send("-ERR Too many bad commands.\r\n");
    log_.info("Disconnected: Too many bad commands: {}", session_label());
    co_return Next::close;
  }
  co_return Next::proceed;
}

asio::awaitable<LoginSession::Next> LoginSession::send(std::string_view wire) {
  bool sent = co_await conn_.write(wire);
  co_return sent ? Next::proceed : Next::close;
}

asio::awaitable<bool> LoginSession::handshake() {
  std::string error;
  auto context = settings_.tls->context();
  bool started = co_await conn_.start_tls(*context, error);
  if (!started) {
    log_.info("Disconnected: TLS handshake failed: {}: {}", error, session_label());
    co_return false;
  }
  log_.info("TLS connection established: {}: {}", conn_.tls_description(), session_label());
  if (shared_.metrics) shared_.metrics->count_tls_handshake(conn_.tls_protocol());
  co_return true;
}

asio::awaitable<void> serve(Shared& shared, asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  LoginSession session(shared, connection);
  co_await session.run();
}

}  // namespace correio::pop3_login
