// SMTP AUTH (RFC 4954) on top of the shared SASL server (auth/sasl.hpp): the base64 and
// "*" framing, the replies, Postfix's smtpd_sasl_* and smtpd_tls_auth_only settings, and
// failed-login throttling per client address (auth/login_throttle.hpp).
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <optional>

#include "base/base64.hpp"
#include "base/strings.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {
namespace {

// RFC 4954 §4: a response line may be long (12288 octets is the minimum to accept).
constexpr size_t kMaxResponseLine = 16 * 1024;

}  // namespace

auth::SaslOffer Session::sasl_offer(bool tls_active) const {
  auth::SaslOffer offer;
  offer.tls_active = tls_active;
  bool noplaintext = tls_active ? settings_.sasl_tls_noplaintext : settings_.sasl_noplaintext;
  offer.allow_plaintext = !noplaintext;
  offer.configured = settings_.mechanisms;
  if (tls_active && conn_.tls_active()) {
    offer.bindings.tls_exporter = conn_.tls_exporter_binding();
    offer.bindings.tls_server_end_point = conn_.tls_server_end_point_binding();
  }
  return offer;
}

bool Session::auth_offered() const {
  if (!settings_.sasl_auth_enable || services_.logins == nullptr) return false;
  if (!settings_.ehlo_keyword("AUTH")) return false;  // smtpd_discard_ehlo_keywords
  if (settings_.tls_auth_only && !conn_.tls_active()) return false;
  return !auth::offered_mechanisms(sasl_offer(conn_.tls_active())).empty();
}

asio::awaitable<Session::Next> Session::cmd_auth(const Command& command) {
  if (!settings_.sasl_auth_enable || services_.logins == nullptr || !settings_.ehlo_keyword("AUTH"))
    co_return co_await reply(503, "5.5.1", "Error: authentication not enabled");
  if (!esmtp_) co_return co_await reply(503, "5.5.1", "Error: send EHLO first");
  if (!sasl_username_.empty())
    co_return co_await reply(503, "5.5.1", "Error: already authenticated");
  if (envelope_) co_return co_await reply(503, "5.5.1", "Error: MAIL transaction in progress");
  // RFC 4954 §6: 538 when this mechanism (here: any, smtpd_tls_auth_only) needs TLS first.
  if (settings_.tls_auth_only && !conn_.tls_active())
    co_return co_await reply(538, "5.7.11",
                             "Encryption required for requested authentication mechanism");
  // smtpd_client_auth_rate_limit, where Postfix's smtpd_sasl_proto.c checks it: after the
  // state checks, before the mechanism is looked at.
  if (auto over = rate_limited(ClientEvent::auth)) co_return co_await reply(*over);
  std::string address = conn_.remote_address(), label = client_label();
  auto now = std::chrono::steady_clock::now();
  if (services_.logins->throttle().blocked(address, now)) {
    // The user is not known before the exchange, which a locked-out address never gets.
    log_.warning("{}", services_.logins->throttle().refusal_log("", label, address, now));
    co_await conn_.write("421 4.7.0 " + settings_.myhostname +
                         " Error: too many failed authentication attempts\r\n");
    co_return Next::close;
  }

  std::string_view argument = command.argument;
  size_t space = argument.find(' ');
  std::string mechanism_name(argument.substr(0, space));
  std::optional<std::string> initial;
  if (space != std::string_view::npos)
    initial = std::string(base::trim(argument.substr(space + 1)));
  if (mechanism_name.empty()) co_return co_await reply(501, "5.5.4", "Syntax: AUTH mechanism");

  auto mechanism = auth::parse_sasl_mechanism(mechanism_name);
  bool tls = conn_.tls_active();
  std::unique_ptr<auth::SaslExchange> exchange;
  if (mechanism) exchange = services_.logins->sasl().start(*mechanism, sasl_offer(tls));
  if (!exchange) {
    // Allowed only with TLS (noplaintext without TLS, say): tell the client to encrypt.
    bool with_tls = false;
    if (mechanism && !tls && settings_.tls)
      for (auto m : auth::offered_mechanisms(sasl_offer(true)))
        if (m == *mechanism) with_tls = true;
    if (with_tls)
      co_return co_await reply(538, "5.7.11",
                               "Encryption required for requested authentication mechanism");
    co_return co_await reply(504, "5.5.4", "Error: unsupported authentication mechanism");
  }

  // RFC 4954 §4: "=" is an empty initial response; otherwise base64.
  std::optional<std::string> response;
  if (initial) {
    if (*initial == "=") {
      response = std::string();
    } else {
      response = base::base64_decode(*initial);
      if (!response) co_return co_await reply(501, "5.5.2", "Cannot decode response");
    }
  }
  auth::SaslStep step =
      exchange->step(response ? std::optional<std::string_view>(*response) : std::nullopt);
  while (step.kind == auth::SaslStep::Kind::challenge) {
    if (!co_await conn_.write("334 " + base::base64_encode(step.data) + "\r\n")) {
      log_.info("lost connection after AUTH from {}", client_label());
      co_return Next::close;
    }
    // smtpd_per_request_deadline covers each AUTH response line as it covers a command
    // line: a client trickling one byte at a time gets smtpd_timeout for the whole line.
    std::optional<io::RequestScope> deadline;
    if (settings_.per_request_deadline)
      deadline.emplace(conn_, std::chrono::steady_clock::now() + settings_.timeout);
    io::LineResult input = co_await conn_.read_line(kMaxResponseLine);
    deadline.reset();
    if (input.status == io::ReadStatus::timeout) {
      log_.info("timeout after AUTH from {}", client_label());
      co_await conn_.write("421 4.4.2 " + settings_.myhostname + " Error: timeout exceeded\r\n");
      co_return Next::close;
    }
    if (input.status == io::ReadStatus::closed) {
      log_.info("lost connection after AUTH from {}", client_label());
      co_return Next::close;
    }
    if (input.status == io::ReadStatus::too_long)
      co_return co_await reply(500, "5.5.6", "Authentication Exchange line is too long");
    std::string_view line = input.line;
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line == "*") co_return co_await reply(501, "5.7.0", "Authentication aborted");
    auto decoded = base::base64_decode(line);
    if (!decoded) co_return co_await reply(501, "5.5.2", "Cannot decode response");
    step = exchange->step(*decoded);
  }
  if (step.kind == auth::SaslStep::Kind::failure) co_return co_await auth_failed(*exchange, step);

  services_.logins->throttle().record_success(conn_.remote_address());
  sasl_username_ = exchange->username();
  sasl_method_ = std::string(auth::sasl_mechanism_name(exchange->mechanism()));
  co_return co_await reply(235, "2.7.0", "Authentication successful");
}

asio::awaitable<Session::Next> Session::auth_failed(const auth::SaslExchange& exchange,
                                                    const auth::SaslStep& step) {
  std::string mechanism(auth::sasl_mechanism_name(exchange.mechanism()));
  std::string who = exchange.attempted_username().empty()
                        ? std::string()
                        : ", sasl_username=" + exchange.attempted_username();
  // Postfix logs what Dovecot's or Cyrus's SASL server says, "authentication failure" for
  // bad credentials; fail2ban's postfix filter (mode auth/aggressive) matches this line.
  std::string_view reason = step.failure == auth::SaslStep::Failure::credentials
                                ? std::string_view("authentication failure")
                                : std::string_view(step.reason);
  log_.warning("{}: SASL {} authentication failed: {}{}", client_label(), mechanism, reason, who);
  if (step.failure == auth::SaslStep::Failure::temporary)
    co_return co_await reply(454, "4.7.0", "Temporary authentication failure");
  // Unknown user, wrong password and broken exchanges cost the same growing delay.
  auto delay = services_.logins->throttle().record_failure(conn_.remote_address(),
                                                           std::chrono::steady_clock::now());
  if (delay.count() > 0) {
    asio::steady_timer timer(conn_.socket().get_executor());
    timer.expires_after(delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
  co_return co_await reply(535, "5.7.8", "Error: authentication failed: authentication failure");
}

}  // namespace correio::smtpd
