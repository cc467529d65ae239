// LOGIN and AUTHENTICATE before login (RFC 9051 §6.2.2–6.2.3, SASL-IR): the framing here,
// the passwords and the failed-login throttle at the auth service (service/auth_client.hpp),
// then the hand-off to imapd. Log lines are Dovecot's imap-login ones, for fail2ban.
#include <fmt/format.h>

#include <functional>

#include "auth/login_throttle.hpp"
#include "base/base64.hpp"
#include "imap_login/login_session.hpp"
#include "login/auth_request.hpp"
#include "login/hand_off.hpp"
#include "service/auth_client.hpp"

namespace correio::imap_login {

using imapd::Parser;
namespace protocol = auth::protocol;

namespace {
constexpr std::string_view kPrivacyRequired =
    "[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.";
}  // namespace

asio::awaitable<void> LoginSession::cmd_login(const Command& c, Parser& p) {
  auto user = p.astring();
  bool have_space = user.has_value() && p.space();
  auto password = have_space ? p.astring() : std::nullopt;
  if (!password || !p.at_end()) {
    tagged(c, "BAD",
           "Error in IMAP command LOGIN: " +
               (p.error().empty() ? std::string("Invalid arguments.") : p.error()));
    co_return;
  }
  if (!cleartext_allowed()) {
    tagged(c, "NO", kPrivacyRequired);
    co_return;
  }
  // LOGIN is PLAIN with the initial response "\0user\0password" (as Dovecot's imap-login).
  protocol::AuthStart request;
  request.mechanism = "PLAIN";
  request.initial_response = std::string(1, '\0') + *user + '\0' + *password;
  co_await authenticate(c, std::move(request), *user);
}

asio::awaitable<void> LoginSession::cmd_authenticate(const Command& c, Parser& p) {
  auto mech_name = p.atom();
  if (!mech_name) {
    tagged(c, "BAD", "Missing SASL mechanism.");
    co_return;
  }
  protocol::AuthStart request;
  if (!p.at_end()) {
    auto ir = p.space() ? p.atom() : std::nullopt;
    if (!ir || !p.at_end()) {
      tagged(c, "BAD", "Invalid initial response.");
      co_return;
    }
    // RFC 4959 §3: "=" is an empty initial response.
    request.initial_response =
        *ir == "=" ? std::optional<std::string>(std::string()) : base::base64_decode(*ir);
    if (!request.initial_response) {
      tagged(c, "BAD", "Invalid base64 data in initial response.");
      co_return;
    }
  }
  auto mechanism = auth::parse_sasl_mechanism(*mech_name);
  bool offered = false;
  if (mechanism)
    for (auto m : auth::offered_mechanisms(sasl_offer())) offered = offered || m == *mechanism;
  if (!offered) {
    bool privacy = mechanism && auth::sasl_mechanism_is_plaintext(*mechanism) &&
                   !cleartext_allowed() && settings_.mechanisms.plain;
    tagged(c, "NO", privacy ? kPrivacyRequired : "Unsupported authentication mechanism.");
    co_return;
  }
  request.mechanism = std::string(auth::sasl_mechanism_name(*mechanism));
  co_await authenticate(c, std::move(request), "");
}

asio::awaitable<std::optional<std::string>> LoginSession::read_response(const Command& c) {
  // Each response line has the login deadline, counted from connect: trickling a SASL
  // response must not hold the session.
  auto deadline = std::min(std::chrono::steady_clock::now() + settings_.timeout,
                           started_ + settings_.login_timeout);
  std::optional<io::RequestScope> scope(std::in_place, conn_, deadline);
  io::LineResult line = co_await conn_.read_line(settings_.limits.max_line_length);
  scope.reset();
  if (line.status != io::ReadStatus::ok) {
    done_ = true;
    co_return std::nullopt;
  }
  std::string_view text = line.line;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
  if (text == "*") {
    tagged(c, "BAD", "Authentication aborted by client.");
    co_return std::nullopt;
  }
  auto decoded = base::base64_decode(text);
  if (!decoded) tagged(c, "BAD", "Invalid base64 data in continued response.");
  co_return decoded;
}

asio::awaitable<void> LoginSession::authenticate(const Command& c, protocol::AuthStart request,
                                                 std::string_view login_user) {
  auth::SaslOffer offer = sasl_offer();
  login::fill_auth_request(request, ++shared_.next_auth_id, "imap", conn_,
                           shared_.trusted.contains(conn_.remote_address()), offer);
  std::string method = request.mechanism;

  auto executor = conn_.socket().get_executor();
  auto client =
      co_await service::AuthClient::connect(executor, shared_.auth_socket, settings_.timeout);
  Result<service::AuthClient::Reply> answer = Error{""};
  if (client) answer = co_await (*client)->start(request);
  while (answer && std::holds_alternative<protocol::Challenge>(*answer)) {
    out_ += "+ " + base::base64_encode(std::get<protocol::Challenge>(*answer).data) + "\r\n";
    if (!co_await flush()) {
      done_ = true;
      co_return;
    }
    auto response = co_await read_response(c);
    if (!response) co_return;
    answer = co_await (*client)->respond(*response);
  }
  if (!client || !answer) {
    shared_.log.warning("{}: auth service: {}", client_label(),
                        client ? answer.error().message : client.error().message);
    tagged(c, "NO", "[UNAVAILABLE] Temporary authentication failure.");
    co_return;
  }
  if (auto* failure = std::get_if<protocol::Failure>(&*answer)) {
    failed(c, *failure, login_user, method);
    co_return;
  }
  auto& success = std::get<protocol::Success>(*answer);
  // The grant waits in the auth service, not on this connection: closed now, it is not
  // held (here and in the auth service) for as long as a TLS session's proxy runs.
  unsigned long auth_id = (*client)->request_id();
  std::string cookie = (*client)->cookie();
  client->reset();
  co_await logged_in(c, success.user, method, auth_id, cookie);
}

void LoginSession::failed(const Command& c, const protocol::Failure& failure,
                          std::string_view login_user, std::string_view method) {
  std::string user = failure.user.empty() ? std::string(login_user) : failure.user;
  if (failure.locked_out) {
    shared_.log.warning(
        "{}", auth::LoginThrottle::refusal_text(user, conn_.remote_address(), failure.failures));
    tagged(c, "NO", "[UNAVAILABLE] Too many failed logins; try again later.");
    return;
  }
  if (failure.kind == auth::SaslStep::Failure::temporary) {
    tagged(c, "NO", "[UNAVAILABLE] Temporary authentication failure.");
    return;
  }
  if (failure.kind == auth::SaslStep::Failure::malformed) {
    tagged(c, "BAD", "Invalid SASL response.");
    return;
  }
  // The auth service has already waited out the throttle's delay.
  shared_.log.info("Login failed: user=<{}>, method={}, {}: {}", user, method, client_label(),
                   failure.reason);
  ++failed_logins_;
  tried_user_ = user;
  tried_method_ = std::string(method);
  tagged(c, "NO", "[AUTHENTICATIONFAILED] Authentication failed.");
}

asio::awaitable<void> LoginSession::logged_in(const Command& c, const std::string& user,
                                              const std::string& method, unsigned long auth_id,
                                              const std::string& cookie) {
  // Nothing of ours may be queued behind the post-login side's answer to the tag.
  if (!co_await flush()) {
    done_ = true;
    co_return;
  }
  login::Handoff handoff;
  handoff.auth_id = auth_id;
  handoff.cookie = cookie;
  handoff.user = user;
  handoff.method = method;
  handoff.tag = c.tag;
  std::string label = client_label();
  std::function<void()> taken = [this, &user, &method, &label] {
    shared_.log.info("Login: user=<{}>, method={}, {}, {}", user, method, label,
                     conn_.tls_active() ? "TLS" : "secured");
    // The login ends here for the metrics, not when a proxied session does.
    if (shared_.metrics && !last_command_.empty())
      shared_.metrics->command_done(last_command_,
                                    std::chrono::steady_clock::now() - command_started_);
    last_command_.clear();
  };
  // From here the client is imapd's; with TLS this returns when the session ends, and
  // the proxy's writes to the client have imapd's deadline, no longer the login's.
  conn_.set_timeout(settings_.timeout);
  auto handed = co_await login::hand_off(conn_, shared_.handoff_socket, std::move(handoff), taken);
  if (!handed) {
    shared_.log.warning("{}: hand-off to imapd failed: {}", label, handed.error().message);
    tagged(c, "NO",
           "[UNAVAILABLE] Internal error occurred. Refer to server log for more "
           "information.");
    co_return;
  }
  handed_off_ = true;
  done_ = true;
}

}  // namespace correio::imap_login
