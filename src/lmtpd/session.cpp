// The LMTP session loop: greeting, command reading with limits, dispatch table, error
// limit, timeout and the connect/disconnect log lines in Postfix's wording.
#include "lmtpd/session.hpp"

#include <cctype>

#include "base/strings.hpp"

namespace correio::lmtpd {

Session::Session(Services& services, io::Connection& connection)
    : services_(services), settings_(services.settings), log_(services.log), conn_(connection) {}

std::string Session::client_label() const {
  // A UNIX-domain client (the local MTA) has no address; Dovecot calls it "local".
  if (conn_.is_local()) return "local";
  return "unknown[" + conn_.remote_address() + "]";
}

asio::awaitable<void> Session::run() {
  log_.info("connect from {}", client_label());
  conn_.set_timeout(settings_.timeout);
  bool greeted = co_await conn_.write("220 " + settings_.banner + "\r\n");
  if (!greeted) {
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
      if (co_await reply(500, "5.5.2", "Error: line too long") == Next::close) break;
      continue;
    }
    std::string_view line = input.line;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    Command command;
    size_t space = line.find(' ');
    command.verb = std::string(line.substr(0, space));
    for (char& c : command.verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (space != std::string_view::npos)
      command.argument = std::string(base::trim(line.substr(space + 1)));
    if (co_await dispatch(command) == Next::close) break;
  }
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
  // RFC 2033 §4.1: LHLO replaces HELO and EHLO, which an LMTP server does not accept.
  static const Entry table[] = {
      {"LHLO", &Session::cmd_lhlo}, {"MAIL", &Session::cmd_mail}, {"RCPT", &Session::cmd_rcpt},
      {"DATA", &Session::cmd_data}, {"BDAT", &Session::cmd_bdat}, {"RSET", &Session::cmd_rset},
      {"NOOP", &Session::cmd_noop}, {"VRFY", &Session::cmd_vrfy}, {"QUIT", &Session::cmd_quit},
  };
  ++total_commands_;
  auto count = [this](std::string_view verb) {
    for (auto& [v, n] : counts_)
      if (v == verb) return void(++n);
    counts_.emplace_back(std::string(verb), 1);
  };
  for (const auto& entry : table) {
    if (entry.verb != command.verb) continue;
    count(entry.verb);
    last_verb_ = entry.verb;
    co_return co_await (this->*entry.handler)(command);
  }
  count("unknown");
  last_verb_ = "UNKNOWN";
  if (command.verb == "HELO" || command.verb == "EHLO")
    co_return co_await reply(500, "5.5.1", "Error: this is LMTP; say LHLO");
  co_return co_await reply(502, "5.5.2", "Error: command not recognized");
}

asio::awaitable<Session::Next> Session::reply(int code, std::string_view enhanced,
                                              std::string_view text) {
  co_return co_await reply(smtp::Reply(code, enhanced, text));
}

asio::awaitable<Session::Next> Session::reply(const smtp::Reply& r) {
  bool fatal = false;
  if (r.code >= 500 && ++errors_ >= settings_.hard_error_limit) fatal = true;
  Next next = co_await send(r.to_wire());
  if (next == Next::close) co_return next;
  if (fatal) {
    log_.info("too many errors after {} from {}", last_verb_, client_label());
    co_await conn_.write("421 4.7.0 " + settings_.myhostname + " Error: too many errors\r\n");
    co_return Next::close;
  }
  co_return Next::proceed;
}

asio::awaitable<Session::Next> Session::send(std::string_view wire) {
  bool sent = co_await conn_.write(wire);
  if (!sent) {
    log_.info("lost connection after {} from {}", last_verb_, client_label());
    co_return Next::close;
  }
  co_return Next::proceed;
}

asio::awaitable<void> serve(Services& services, asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  Session session(services, connection);
  co_await session.run();
}

asio::awaitable<void> serve(Services& services, asio::local::stream_protocol::socket socket) {
  io::Connection connection(std::move(socket));
  Session session(services, connection);
  co_await session.run();
}

}  // namespace correio::lmtpd
