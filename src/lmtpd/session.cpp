// The LMTP session: lmtpd's dispatch table for the shared command loop
// (smtp/command_loop.hpp), and the replies that go through it.
#include "lmtpd/session.hpp"

namespace correio::lmtpd {
namespace {

// lmtpd's line limit and lmtpd_hard_error_limit over the shared loop. Unlike smtpd only
// 5xx replies count as errors, and there is no tarpit.
smtp::CommandLoop::Options loop_options(const Settings& settings) {
  smtp::CommandLoop::Options options;
  options.line_limit = static_cast<size_t>(settings.line_length_limit);
  options.hostname = settings.myhostname;
  options.error_floor = 500;
  options.hard_error_limit = settings.hard_error_limit;
  // As smtpd with smtpd_per_request_deadline: lmtpd_timeout bounds a whole command line.
  options.request_deadline = settings.timeout;
  options.too_long = smtp::Reply(500, "5.5.2", "Error: line too long");
  return options;
}

}  // namespace

Session::Session(Services& services, io::Connection& connection)
    : services_(services),
      settings_(services.settings),
      log_(services.log),
      conn_(connection),
      loop_(connection, services.log, loop_options(services.settings)) {
  loop_.set_client_label(client_label());
}

std::string Session::client_label() const {
  // A UNIX-domain client (the local MTA) has no address; Dovecot calls it "local".
  if (conn_.is_local()) return "local";
  return "unknown[" + conn_.remote_address() + "]";
}

asio::awaitable<void> Session::run() {
  log_.info("connect from {}", client_label());
  conn_.set_timeout(settings_.timeout);
  if (!co_await loop_.greet(settings_.banner)) co_return;
  // RFC 2033 §4.1: LHLO replaces HELO and EHLO, which an LMTP server does not accept.
  using smtp::command_flag::counts_as_unknown;
  static constexpr smtp::CommandEntry<Session> kCommands[] = {
      {"LHLO", &Session::cmd_lhlo},
      {"MAIL", &Session::cmd_mail},
      {"RCPT", &Session::cmd_rcpt},
      {"DATA", &Session::cmd_data},
      {"BDAT", &Session::cmd_bdat},
      {"RSET", &Session::cmd_rset},
      {"NOOP", &Session::cmd_noop},
      {"VRFY", &Session::cmd_vrfy},
      {"QUIT", &Session::cmd_quit},
      {"HELO", &Session::cmd_helo, counts_as_unknown},
      {"EHLO", &Session::cmd_helo, counts_as_unknown},
  };
  co_await loop_.run(*this, std::span<const smtp::CommandEntry<Session>>(kCommands));
}

asio::awaitable<Session::Next> Session::cmd_helo(const Command&) {
  co_return co_await reply(500, "5.5.1", "Error: this is LMTP; say LHLO");
}

asio::awaitable<Session::Next> Session::reply(int code, std::string_view enhanced,
                                              std::string_view text) {
  co_return co_await reply(smtp::Reply(code, enhanced, text));
}

asio::awaitable<Session::Next> Session::reply(const smtp::Reply& r) {
  co_return co_await loop_.reply(r);
}

asio::awaitable<Session::Next> Session::send(std::string_view wire) {
  co_return co_await loop_.send(wire);
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
