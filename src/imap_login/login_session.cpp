// The pre-login IMAP session's loop and its commands other than the logins (see
// login_session.hpp); LOGIN and AUTHENTICATE are in cmd_auth.cpp.
#include "imap_login/login_session.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "auth/login_log.hpp"
#include "imapd/command_reader.hpp"

namespace correio::imap_login {

using imapd::Parser;

LoginSession::LoginSession(Shared& shared, io::Connection& connection)
    : shared_(shared), settings_(shared.settings), conn_(connection) {}

std::string LoginSession::client_label() const {
  return fmt::format("rip={}, lip={}", conn_.remote_address(), conn_.local_address());
}

bool LoginSession::cleartext_allowed() const {
  // LOGIN is a PLAIN login to Dovecot's auth: without "plain" in auth_mechanisms it is off.
  return (conn_.tls_active() || settings_.allow_cleartext) && settings_.mechanisms.plain;
}

auth::SaslOffer LoginSession::sasl_offer() const {
  auth::SaslOffer offer;
  offer.tls_active = conn_.tls_active();
  offer.allow_plaintext = conn_.tls_active() || settings_.allow_cleartext;
  offer.configured = settings_.mechanisms;
  if (conn_.tls_active()) {
    offer.bindings.tls_exporter = conn_.tls_exporter_binding();
    offer.bindings.tls_server_end_point = conn_.tls_server_end_point_binding();
  }
  return offer;
}

std::string LoginSession::capabilities() const {
  std::string caps = "IMAP4rev1 IMAP4rev2 SASL-IR LITERAL+ ID ENABLE";
  if (settings_.tls && !conn_.tls_active()) caps += " STARTTLS";
  std::string mechs = auth::offered_mechanism_list(sasl_offer());
  size_t start = 0;
  while (start < mechs.size()) {
    size_t end = mechs.find(' ', start);
    if (end == std::string::npos) end = mechs.size();
    caps += " AUTH=" + mechs.substr(start, end - start);
    start = end + 1;
  }
  if (!cleartext_allowed()) caps += " LOGINDISABLED";
  return caps;
}

void LoginSession::tagged(const Command& c, std::string_view status, std::string_view text) {
  out_ += fmt::format("{} {} {}\r\n", c.tag.empty() ? "*" : c.tag, status, text);
}

asio::awaitable<bool> LoginSession::flush() {
  if (out_.empty()) co_return true;
  std::string data;
  data.swap(out_);
  bool ok = co_await conn_.write(data);
  co_return ok;
}

asio::awaitable<void> LoginSession::run() {
  co_await converse();
  if (handed_off_) co_return;
  // Dovecot's imap-login line, which fail2ban's dovecot filter counts.
  auth::UnauthenticatedEnd end{failed_logins_, std::chrono::steady_clock::now() - started_,
                               tried_user_, tried_method_};
  std::string client = client_label() + (conn_.tls_active() ? ", TLS" : "");
  shared_.log.info("{}", auth::login_disconnect_line("imap", end, client));
}

asio::awaitable<void> LoginSession::converse() {
  if (settings_.tls_wrappermode) {
    std::string error;
    auto context = settings_.tls->context();
    bool up = co_await conn_.start_tls(*context, error);
    if (!up) {
      shared_.log.info("TLS handshake failed: {}, {}", error, client_label());
      co_return;
    }
    if (shared_.metrics) shared_.metrics->tls_handshake(conn_.tls_protocol());
  }
  out_ = fmt::format("* OK [CAPABILITY {}] Correio ready.\r\n", capabilities());
  while (!done_) {
    if (!co_await flush()) co_return;
    // Dovecot disconnects a client not logged in after a fixed time from connect: a whole
    // command (literals included) must also arrive by then.
    conn_.set_timeout(settings_.login_timeout);
    auto deadline = std::min(std::chrono::steady_clock::now() + settings_.timeout,
                             started_ + settings_.login_timeout);
    conn_.begin_request(deadline);
    imapd::CommandInput input = co_await imapd::read_command(conn_, settings_.limits);
    conn_.end_request();
    switch (input.status) {
      case imapd::CommandStatus::ok: {
        command_started_ = std::chrono::steady_clock::now();
        co_await execute(input.text);
        // A login that was handed off was timed up to the hand-off (cmd_auth.cpp).
        if (shared_.metrics && !last_command_.empty())
          shared_.metrics->command_done(last_command_,
                                        std::chrono::steady_clock::now() - command_started_);
        break;
      }
      case imapd::CommandStatus::line_too_long:
        out_ += "* BAD Command line too long.\r\n";
        break;
      case imapd::CommandStatus::literal_refused: {
        Parser p(input.text);
        Command c;
        if (auto tag = p.tag()) c.tag = *tag;
        tagged(c, "NO", "[TOOBIG] Literal too big.");
        break;
      }
      case imapd::CommandStatus::fatal:
        out_ += "* BYE Literal too big.\r\n";
        co_await flush();
        co_return;
      case imapd::CommandStatus::timeout:
        out_ += "* BYE Disconnected for inactivity.\r\n";
        co_await flush();
        shared_.log.info("Disconnected for inactivity: user=<>, {}", client_label());
        co_return;
      case imapd::CommandStatus::closed:
        co_return;
    }
  }
  co_await flush();
}

asio::awaitable<void> LoginSession::execute(std::string_view text) {
  last_command_.clear();
  Parser p(text);
  Command c;
  auto tag = p.tag();
  if (!tag) {
    out_ += "* BAD Error in IMAP command received by server.\r\n";
    co_return;
  }
  c.tag = *tag;
  auto name = p.space() ? p.atom() : std::nullopt;
  if (!name) {
    tagged(c, "BAD", "Error in IMAP command: Missing command name.");
    co_return;
  }
  c.name = imapd::upper(*name);
  last_command_ = c.name;
  if (!p.at_end() && !p.space()) {
    tagged(c, "BAD", "Error in IMAP command " + c.name + ": Invalid arguments.");
    co_return;
  }
  if (c.name == "CAPABILITY" || c.name == "NOOP" || c.name == "LOGOUT") {
    if (!p.at_end()) {
      tagged(c, "BAD", c.name + " takes no arguments.");
      co_return;
    }
    if (c.name == "CAPABILITY") out_ += "* CAPABILITY " + capabilities() + "\r\n";
    if (c.name == "LOGOUT") {
      out_ += "* BYE Logging out\r\n";
      done_ = true;
    }
    std::string what = c.name == "CAPABILITY" ? "Capability" : c.name == "NOOP" ? "NOOP" : "Logout";
    tagged(c, "OK", what + " completed.");
  } else if (c.name == "ID") {
    cmd_id(c, p);
  } else if (c.name == "STARTTLS") {
    co_await cmd_starttls(c, p);
  } else if (c.name == "LOGIN") {
    co_await cmd_login(c, p);
  } else if (c.name == "AUTHENTICATE") {
    co_await cmd_authenticate(c, p);
  } else {
    // Everything else needs a login (imapd knows the rest of RFC 9051).
    tagged(c, "BAD", "Error in IMAP command " + c.name + ": Not logged in.");
  }
}

void LoginSession::cmd_id(const Command& c, Parser& p) {
  // RFC 2971: the client's parameters are only read; ours are few.
  if (!p.consume_word("NIL") && !p.astring_list()) {
    tagged(c, "BAD", "Invalid ID parameters.");
    return;
  }
  if (!p.at_end()) {
    tagged(c, "BAD", "Invalid ID parameters.");
    return;
  }
  out_ += "* ID (\"name\" \"Correio\")\r\n";
  tagged(c, "OK", "ID completed.");
}

asio::awaitable<void> LoginSession::cmd_starttls(const Command& c, Parser& p) {
  if (!p.at_end()) {
    tagged(c, "BAD", "STARTTLS takes no arguments.");
    co_return;
  }
  if (conn_.tls_active()) {
    tagged(c, "BAD", "TLS is already active.");
    co_return;
  }
  if (!settings_.tls) {
    tagged(c, "NO", "TLS is not available.");
    co_return;
  }
  tagged(c, "OK", "Begin TLS negotiation now.");
  if (!co_await flush()) {
    done_ = true;
    co_return;
  }
  // RFC 9051 §6.2.1: what the client sent before the handshake is discarded (start_tls).
  std::string error;
  auto context = settings_.tls->context();
  if (!co_await conn_.start_tls(*context, error)) {
    shared_.log.info("TLS handshake failed: {}, {}", error, client_label());
    done_ = true;
  } else if (shared_.metrics) {
    shared_.metrics->tls_handshake(conn_.tls_protocol());
  }
}

asio::awaitable<void> serve(Shared& shared, asio::ip::tcp::socket socket) {
  io::Connection connection(std::move(socket));
  LoginSession session(shared, connection);
  co_await session.run();
}

}  // namespace correio::imap_login
