// USER/PASS (RFC 1939 §7) and AUTH (RFC 5034) before login: the framing here, the
// passwords and the failed-login throttle at the auth service (service/auth_client.hpp),
// then the hand-off to pop3d. Log lines are Dovecot's pop3-login ones, for fail2ban.
#include <fmt/format.h>

#include <functional>

#include "auth/login_throttle.hpp"
#include "base/base64.hpp"
#include "login/auth_request.hpp"
#include "login/hand_off.hpp"
#include "pop3_login/login_session.hpp"
#include "service/auth_client.hpp"

namespace correio::pop3_login {
namespace {

namespace protocol = auth::protocol;

constexpr std::string_view kCleartextRefused =
    "[AUTH] Plaintext authentication disallowed on non-secure connections.";
constexpr std::string_view kAuthFailed = "[AUTH] Authentication failed.";

}  // namespace

asio::awaitable<LoginSession::Next> LoginSession::cmd_user(const pop3d::Command& command) {
  if (!cleartext_allowed()) {
    ++auth_attempts_;
    co_return co_await err(kCleartextRefused);
  }
  if (command.args.size() != 1) co_return co_await err("USER takes exactly one argument.");
  pending_user_ = command.args[0];
  co_return co_await ok("");
}

asio::awaitable<LoginSession::Next> LoginSession::cmd_pass(const pop3d::Command& command) {
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
  // USER/PASS is PLAIN with "\0user\0password" (as Dovecot's pop3-login).
  protocol::AuthStart request;
  request.mechanism = "PLAIN";
  request.initial_response = std::string(1, '\0') + user + '\0' + password;
  co_return co_await authenticate(std::move(request), user);
}

asio::awaitable<LoginSession::Next> LoginSession::cmd_auth(const pop3d::Command& command) {
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
  bool offered = false;
  for (auto m : auth::offered_mechanisms(offer)) offered = offered || m == *mechanism;
  if (!offered) co_return co_await err("Unsupported authentication mechanism.");
  protocol::AuthStart request;
  request.mechanism = std::string(auth::sasl_mechanism_name(*mechanism));
  if (command.args.size() == 2) {
    // RFC 5034 §4: "=" is an empty initial response.
    request.initial_response = command.args[1] == "=" ? std::optional<std::string>(std::string())
                                                      : base::base64_decode(command.args[1]);
    if (!request.initial_response)
      co_return co_await err("Invalid base64 data in initial response.");
  }
  ++auth_attempts_;
  co_return co_await authenticate(std::move(request), "");
}

asio::awaitable<LoginSession::Next> LoginSession::authenticate(protocol::AuthStart request,
                                                               std::string_view user) {
  auth::SaslOffer offer = sasl_offer();
  login::fill_auth_request(request, ++shared_.next_auth_id, "pop3", conn_,
                           shared_.trusted.contains(conn_.remote_address()), offer);
  std::string method = request.mechanism;

  auto executor = conn_.socket().get_executor();
  auto client =
      co_await service::AuthClient::connect(executor, shared_.auth_socket, settings_.timeout);
  Result<service::AuthClient::Reply> answer = Error{""};
  if (client) answer = co_await (*client)->start(request);
  while (answer && std::holds_alternative<protocol::Challenge>(*answer)) {
    std::string challenge =
        "+ " + base::base64_encode(std::get<protocol::Challenge>(*answer).data) + "\r\n";
    if (co_await send(challenge) == Next::close) co_return Next::close;
    // Each response line has the login deadline, counted from connect.
    auto deadline = std::min(std::chrono::steady_clock::now() + settings_.timeout,
                             started_ + settings_.login_timeout);
    std::optional<io::RequestScope> scope(std::in_place, conn_, deadline);
    io::LineResult line = co_await conn_.read_line(pop3d::kMaxCommandLine);
    scope.reset();
    if (line.status == io::ReadStatus::too_long) co_return co_await err("Input line too long.");
    if (line.status != io::ReadStatus::ok) co_return Next::close;
    std::string_view text = line.line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (text == "*") co_return co_await err("[AUTH] Authentication aborted by client.");
    auto decoded = base::base64_decode(text);
    if (!decoded) co_return co_await err("Invalid base64 data in continued response.");
    answer = co_await (*client)->respond(*decoded);
  }
  if (!client || !answer) {
    log_.warning("{}: auth service: {}", session_label(),
                 client ? answer.error().message : client.error().message);
    if (auth_attempts_ > 0) --auth_attempts_;
    co_return co_await err("[SYS/TEMP] Temporary authentication failure.");
  }
  if (auto* failure = std::get_if<protocol::Failure>(&*answer))
    co_return co_await failed(*failure, user, method);
  auto& success = std::get<protocol::Success>(*answer);
  // The grant waits in the auth service, not on this connection: closed now, it is not
  // held (here and in the auth service) for as long as a TLS session's proxy runs.
  unsigned long auth_id = (*client)->request_id();
  std::string cookie = (*client)->cookie();
  client->reset();
  co_return co_await hand_off(success.user, method, auth_id, cookie);
}

asio::awaitable<LoginSession::Next> LoginSession::failed(const protocol::Failure& failure,
                                                         std::string_view login_user,
                                                         std::string_view method) {
  std::string user = failure.user.empty() ? std::string(login_user) : failure.user;
  if (failure.locked_out) {
    log_.warning("{}",
                 auth::LoginThrottle::refusal_text(user, conn_.remote_address(), failure.failures));
    co_return co_await err("[SYS/TEMP] Too many failed logins; try again later.");
  }
  if (failure.kind == auth::SaslStep::Failure::temporary) {
    // Not a failed login: neither the throttle nor the "auth failed, N attempts" line
    // that fail2ban counts may take it as one.
    if (auth_attempts_ > 0) --auth_attempts_;
    log_.warning("auth: user=<{}>, method={}, {}: {}", user, method, session_label(),
                 failure.reason);
    co_return co_await err("[SYS/TEMP] Temporary authentication failure.");
  }
  // The auth service has already waited out the throttle's delay.
  log_.info("auth failed: user=<{}>, method={}, {}: {}", user, method, session_label(),
            failure.reason);
  tried_user_ = user;
  tried_method_ = std::string(method);
  if (failure.kind == auth::SaslStep::Failure::malformed)
    co_return co_await err("[AUTH] Invalid authentication data.");
  co_return co_await err(kAuthFailed);
}

asio::awaitable<LoginSession::Next> LoginSession::hand_off(const std::string& user,
                                                           const std::string& method,
                                                           unsigned long auth_id,
                                                           const std::string& cookie) {
  login::Handoff handoff;
  handoff.auth_id = auth_id;
  handoff.cookie = cookie;
  handoff.user = user;
  handoff.method = method;
  std::string label = session_label();
  std::function<void()> taken = [this, &user, &method, &label] {
    log_.info("Login: user=<{}>, method={}, {}", user, method, label);
  };
  // From here the client is pop3d's, which answers the login; with TLS this returns
  // when the session ends.
  auto handed = co_await login::hand_off(conn_, shared_.handoff_socket, std::move(handoff), taken);
  if (!handed) {
    log_.warning("{}: hand-off to pop3d failed: {}", label, handed.error().message);
    co_return co_await err("[SYS/TEMP] Internal error occurred.");
  }
  handed_off_ = true;
  co_return Next::close;
}

}  // namespace correio::pop3_login
