// The POP3 session loop after login: command reading with a hard line limit, the dispatch
// table, the bad-command limit, and the end of the session.
#include "pop3d/session.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace correio::pop3d {

Session::Session(Services& services, io::Connection& connection)
    : services_(services), settings_(services.settings), log_(services.log), conn_(connection) {}

std::string Session::session_label() const {
  return fmt::format("rip={}, lip={}", conn_.remote_address(), conn_.local_address());
}

asio::awaitable<void> Session::serve_commands(Next next) {
  while (next == Next::proceed) {
    // A whole command line has one deadline (a client trickling a byte at a time cannot
    // hold the session).
    conn_.begin_request(std::chrono::steady_clock::now() + settings_.timeout);
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

  // A session that ends without QUIT never enters UPDATE: nothing is deleted, but
  // messages read are still marked \Seen (Dovecot does the same).
  co_await finish_maildrop(false);
}

asio::awaitable<Session::Next> Session::dispatch(const Command& command) {
  using Handler = asio::awaitable<Next> (Session::*)(const Command&);
  struct Entry {
    std::string_view verb;
    Handler handler;
  };
  static const Entry table[] = {
      {"CAPA", &Session::cmd_capa}, {"QUIT", &Session::cmd_quit}, {"NOOP", &Session::cmd_noop},
      {"STAT", &Session::cmd_stat}, {"LIST", &Session::cmd_list}, {"UIDL", &Session::cmd_uidl},
      {"RETR", &Session::cmd_retr}, {"TOP", &Session::cmd_top},   {"DELE", &Session::cmd_dele},
      {"RSET", &Session::cmd_rset},
  };
  for (const auto& entry : table)
    if (entry.verb == command.verb) co_return co_await (this->*entry.handler)(command);
  // The AUTHORIZATION state's commands (pop3-login's) are answered as Dovecot's pop3 does.
  static constexpr std::string_view kAuthorization[] = {"STLS", "USER", "PASS", "AUTH", "APOP"};
  for (std::string_view verb : kAuthorization)
    if (command.verb == verb) co_return co_await err("Command not allowed in TRANSACTION state.");
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

}  // namespace correio::pop3d
