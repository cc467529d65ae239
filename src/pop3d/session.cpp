// The POP3 session loop: greeting (after the TLS handshake in wrapper mode), command
// reading with a hard line limit, the dispatch table with the states each command is
// allowed in, the bad-command limit, and the end of the session (UPDATE state).
#include "pop3d/session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "auth/login_log.hpp"
#include "login/hand_off.hpp"

namespace correio::pop3d {

Session::Session(Services& services, io::Connection& connection)
    : services_(services), settings_(services.settings), log_(services.log), conn_(connection) {}

std::string Session::session_label() const {
  std::string out = fmt::format("rip={}, lip={}", conn_.remote_address(), conn_.local_address());
  if (conn_.tls_active()) out += ", TLS";
  return out;
}

asio::awaitable<void> Session::run() {
  conn_.set_timeout(settings_.timeout);
  if (settings_.tls_wrappermode) {
    bool secured = co_await handshake();
    if (!secured) co_return;
  }
  Next next = co_await send("+OK " + settings_.greeting + "\r\n");
  co_await serve_commands(next);
}

asio::awaitable<void> Session::resume(const std::string& user, const std::string& method) {
  conn_.set_timeout(settings_.timeout);
  resumed_ = true;
  Next next = co_await login(user, method);
  // The login is over on pop3-login's side: no second try here (Dovecot's pop3 process
  // also ends a session whose maildrop it cannot open).
  if (state_ != State::transaction) co_return;
  co_await serve_commands(next);
}

asio::awaitable<void> Session::serve_commands(Next next) {
  while (next == Next::proceed) {
    // A whole command line has one deadline (a client trickling a byte at a time cannot
    // hold the session); before login it is also the login deadline, counted from
    // connect (Dovecot disconnects a client not logged in after a fixed 3 minutes).
    auto deadline = std::chrono::steady_clock::now() + settings_.timeout;
    if (state_ == State::authorization)
      deadline = std::min(deadline, started_ + settings_.login_timeout);
    conn_.begin_request(deadline);
    io::LineResult input = co_await conn_.read_line(kMaxCommandLine);
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
    next = co_await dispatch(parse_command(input.line));
  }

  if (state_ == State::transaction) {
    // A session that ends without QUIT never enters UPDATE: nothing is deleted, but
    // messages read are still marked \Seen (Dovecot does the same).
    co_await finish_maildrop(false);
  } else {
    // Dovecot's pop3-login line, which fail2ban's dovecot filter counts.
    auth::UnauthenticatedEnd end{auth_attempts_, std::chrono::steady_clock::now() - started_,
                                 tried_user_, tried_method_};
    log_.info("{}", auth::login_disconnect_line("pop3", end, session_label()));
  }
}

asio::awaitable<Session::Next> Session::dispatch(const Command& command) {
  using Handler = asio::awaitable<Next> (Session::*)(const Command&);
  struct Entry {
    std::string_view verb;
    Handler handler;
    bool in_authorization;
    bool in_transaction;
  };
  static const Entry table[] = {
      {"CAPA", &Session::cmd_capa, true, true},  {"QUIT", &Session::cmd_quit, true, true},
      {"NOOP", &Session::cmd_noop, false, true}, {"STLS", &Session::cmd_stls, true, false},
      {"USER", &Session::cmd_user, true, false}, {"PASS", &Session::cmd_pass, true, false},
      {"AUTH", &Session::cmd_auth, true, false}, {"APOP", &Session::cmd_apop, true, false},
      {"STAT", &Session::cmd_stat, false, true}, {"LIST", &Session::cmd_list, false, true},
      {"UIDL", &Session::cmd_uidl, false, true}, {"RETR", &Session::cmd_retr, false, true},
      {"TOP", &Session::cmd_top, false, true},   {"DELE", &Session::cmd_dele, false, true},
      {"RSET", &Session::cmd_rset, false, true},
  };
  for (const auto& entry : table) {
    if (entry.verb != command.verb) continue;
    bool allowed = state_ == State::authorization ? entry.in_authorization : entry.in_transaction;
    if (allowed) co_return co_await (this->*entry.handler)(command);
    if (state_ == State::authorization) co_return co_await err("Unknown command.");
    co_return co_await err("Command not allowed in TRANSACTION state.");
  }
  // The verb is echoed only when it is a printable keyword of sane length.
  bool printable = !command.verb.empty() && command.verb.size() <= kMaxKeyword;
  for (char c : command.verb)
    if (c < '!' || c > '~') printable = false;
  if (printable) co_return co_await err("Unknown command: " + command.verb);
  co_return co_await err("Unknown command.");
}

asio::awaitable<bool> Session::finish_maildrop(bool update) {
  if (finished_) co_return true;
  finished_ = true;
  auto finished = maildrop_->finish(update);
  std::string outcome = update ? "Logged out" : "Connection closed";
  if (!finished) {
    log_.warning("pop3({}): cannot update the maildrop: {}", username_, finished.error().message);
    outcome = "Update failed";
  }
  log_.info("pop3({}): Disconnected: {} top={}/{}, retr={}/{}, del={}/{}, size={}", username_,
            outcome, top_count_, top_bytes_, retr_count_, retr_bytes_, finished ? *finished : 0,
            maildrop_->count(), maildrop_->live_size());
  co_return finished.ok();
}

asio::awaitable<Session::Next> Session::ok(std::string_view text) {
  // Built first: GCC 12 miscompiles temporaries of ?: inside a co_await expression.
  std::string line = text.empty() ? std::string("+OK\r\n") : fmt::format("+OK {}\r\n", text);
  co_return co_await send(line);
}

asio::awaitable<Session::Next> Session::err(std::string_view text) {
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

asio::awaitable<Session::Next> Session::send(std::string_view wire) {
  bool sent = co_await conn_.write(wire);
  co_return sent ? Next::proceed : Next::close;
}

asio::awaitable<bool> Session::handshake() {
  std::string error;
  auto context = settings_.tls->context();
  bool started = co_await conn_.start_tls(*context, error);
  if (!started) {
    log_.info("Disconnected: TLS handshake failed: {}: {}", error, session_label());
    co_return false;
  }
  log_.info("TLS connection established: {}: {}", conn_.tls_description(), session_label());
  if (services_.metrics) services_.metrics->count_tls_handshake(conn_.tls_protocol());
  co_return true;
}

asio::awaitable<void> serve(Services& services, asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  Session session(services, connection);
  co_await session.run();
}

asio::awaitable<void> serve_hand_off(Services& services, const std::filesystem::path& auth_socket,
                                     asio::local::stream_protocol::socket socket) {
  auto accepted = co_await login::accept_hand_off(std::move(socket), auth_socket, services.log);
  if (!accepted) co_return;
  Session session(services, *accepted->connection);
  co_await session.resume(accepted->user, accepted->handoff.method);
}

}  // namespace correio::pop3d
