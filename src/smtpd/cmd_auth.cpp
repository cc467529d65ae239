// SMTP AUTH (RFC 4954) through the auth service (service/auth_client.hpp, Postfix's
// smtpd_sasl_type = dovecot): the base64 and "*" framing, the replies, and Postfix's
// smtpd_sasl_* and smtpd_tls_auth_only settings. The passwords and the failed-login
// throttle live in the auth service; smtpd reads no password hash.
#include <chrono>
#include <optional>

#include "auth/login_throttle.hpp"
#include "base/base64.hpp"
#include "base/strings.hpp"
#include "service/auth_client.hpp"
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
  if (!settings_.sasl_auth_enable) return false;
  if (!settings_.ehlo_keyword("AUTH")) return false;  // smtpd_discard_ehlo_keywords
  if (settings_.tls_auth_only && !conn_.tls_active()) return false;
  return !auth::offered_mechanisms(sasl_offer(conn_.tls_active())).empty();
}

asio::awaitable<Session::Next> Session::cmd_auth(const Command& command) {
  if (!settings_.sasl_auth_enable || !settings_.ehlo_keyword("AUTH"))
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

  std::string_view argument = command.argument;
  size_t space = argument.find(' ');
  std::string mechanism_name(argument.substr(0, space));
  std::optional<std::string> initial;
  if (space != std::string_view::npos)
    initial = std::string(base::trim(argument.substr(space + 1)));
  if (mechanism_name.empty()) co_return co_await reply(501, "5.5.4", "Syntax: AUTH mechanism");

  // What this connection may use is smtpd's policy (Postfix filters the auth server's
  // mechanism list by smtpd_sasl_security_options the same way); the auth service checks
  // passwords.
  auto mechanism = auth::parse_sasl_mechanism(mechanism_name);
  bool tls = conn_.tls_active();
  auth::SaslOffer offer = sasl_offer(tls);
  bool offered = false;
  if (mechanism)
    for (auto m : auth::offered_mechanisms(offer)) offered = offered || m == *mechanism;
  if (!offered) {
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
  auth::protocol::AuthStart request;
  if (initial) {
    if (*initial == "=") {
      request.initial_response = std::string();
    } else {
      request.initial_response = base::base64_decode(*initial);
      if (!request.initial_response)
        co_return co_await reply(501, "5.5.2", "Cannot decode response");
    }
  }
  std::string name(auth::sasl_mechanism_name(*mechanism));
  request.mechanism = name;
  request.service = "smtp";
  request.remote_address = conn_.remote_address();
  request.local_address = conn_.local_address();
  request.secured = tls;
  request.no_penalty = settings_.auth_penalty_exceptions.contains(conn_.remote_address());
  request.no_plaintext = !offer.allow_plaintext;
  request.no_scram = !offer.allow_scram;
  request.bindings = offer.bindings;

  auto executor = conn_.socket().get_executor();
  auto client =
      co_await service::AuthClient::connect(executor, settings_.sasl_socket, settings_.timeout);
  if (!client) co_return co_await auth_unavailable(client.error());
  auto answer = co_await (*client)->start(request);
  while (answer && std::holds_alternative<auth::protocol::Challenge>(*answer)) {
    std::string challenge =
        "334 " + base::base64_encode(std::get<auth::protocol::Challenge>(*answer).data) + "\r\n";
    if (!co_await conn_.write(challenge)) {
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
    answer = co_await (*client)->respond(*decoded);
  }
  if (!answer) co_return co_await auth_unavailable(answer.error());
  if (auto* failure = std::get_if<auth::protocol::Failure>(&*answer)) {
    if (failure->locked_out) {
      // The user is not known before the exchange, which a locked-out address never gets.
      log_.warning("{}", auth::LoginThrottle::refusal_text("", client_label(), failure->failures));
      co_await conn_.write("421 4.7.0 " + settings_.myhostname +
                           " Error: too many failed authentication attempts\r\n");
      co_return Next::close;
    }
    co_return co_await auth_failed(name, *failure);
  }
  sasl_username_ = std::get<auth::protocol::Success>(*answer).user;
  sasl_method_ = name;
  co_return co_await reply(235, "2.7.0", "Authentication successful");
}

asio::awaitable<Session::Next> Session::auth_unavailable(const Error& error) {
  // Postfix: "warning: SASL: Connect to private/auth failed: ..." and a temporary failure.
  log_.warning("{}: SASL: auth service: {}", client_label(), error.message);
  co_return co_await reply(454, "4.7.0", "Temporary authentication failure");
}

asio::awaitable<Session::Next> Session::auth_failed(std::string_view mechanism,
                                                    const auth::protocol::Failure& failure) {
  std::string who = failure.user.empty() ? std::string() : ", sasl_username=" + failure.user;
  // Postfix logs what Dovecot's or Cyrus's SASL server says, "authentication failure" for
  // bad credentials; fail2ban's postfix filter (mode auth/aggressive) matches this line.
  std::string_view reason = failure.kind == auth::SaslStep::Failure::credentials
                                ? std::string_view("authentication failure")
                                : std::string_view(failure.reason);
  log_.warning("{}: SASL {} authentication failed: {}{}", client_label(), mechanism, reason, who);
  if (failure.kind == auth::SaslStep::Failure::temporary)
    co_return co_await reply(454, "4.7.0", "Temporary authentication failure");
  // Unknown user, wrong password and broken exchanges cost the same growing delay, which
  // the auth service has already waited out before its answer.
  co_return co_await reply(535, "5.7.8", "Error: authentication failed: authentication failure");
}

}  // namespace correio::smtpd
