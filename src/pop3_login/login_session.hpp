// One POP3 connection in the AUTHORIZATION state (Dovecot's pop3-login): greeting, CAPA,
// STLS (or wrapper-mode TLS), USER/PASS and AUTH through the auth service, APOP refused,
// QUIT, the login deadline and the bad-command limit. After the auth service's OK the
// client is handed to the post-login pop3d (login/hand_off.hpp), which opens the maildrop
// and answers the login command. Private to pop3-login.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>

#include "auth/auth_protocol.hpp"
#include "auth/sasl.hpp"
#include "base/log.hpp"
#include "io/connection.hpp"
#include "maps/network_list.hpp"
#include "metrics/registry.hpp"
#include "pop3d/command.hpp"
#include "pop3d/settings.hpp"

namespace correio::pop3_login {

// What the process shares with every session; owned by pop3_login_main, used from its
// one event-loop thread.
struct Shared {
  const pop3d::Settings& settings;  // pop3d's parameters, with this listener's -o overrides
  base::Logger& log;
  std::filesystem::path auth_socket;     // queue_directory/login/auth
  std::filesystem::path handoff_socket;  // queue_directory/login/pop3d-NAME
  maps::NetworkList trusted;             // login_trusted_networks: no-penalty
  unsigned long next_auth_id = 0;        // see imap_login::Shared
  // TLS handshakes under this listener's name, as pop3d counted them before the split;
  // null unless metrics_enable.
  metrics::Registry* metrics = nullptr;
};

class LoginSession {
 public:
  LoginSession(Shared& shared, io::Connection& connection);
  asio::awaitable<void> run();

  enum class Next { proceed, close };

 private:
  asio::awaitable<Next> dispatch(const pop3d::Command& command);
  asio::awaitable<Next> cmd_capa();
  asio::awaitable<Next> cmd_stls(const pop3d::Command& command);
  asio::awaitable<Next> cmd_user(const pop3d::Command& command);
  asio::awaitable<Next> cmd_pass(const pop3d::Command& command);
  asio::awaitable<Next> cmd_auth(const pop3d::Command& command);
  // The exchange with the auth service, then the hand-off.
  asio::awaitable<Next> authenticate(auth::protocol::AuthStart request, std::string_view user);
  asio::awaitable<Next> failed(const auth::protocol::Failure& failure, std::string_view user,
                               std::string_view method);
  asio::awaitable<Next> hand_off(const std::string& user, const std::string& method,
                                 unsigned long auth_id, const std::string& cookie);

  asio::awaitable<Next> ok(std::string_view text);
  asio::awaitable<Next> err(std::string_view text);
  asio::awaitable<Next> send(std::string_view wire);
  asio::awaitable<bool> handshake();
  bool cleartext_allowed() const;
  auth::SaslOffer sasl_offer() const;
  std::string session_label() const;

  Shared& shared_;
  const pop3d::Settings& settings_;
  base::Logger& log_;
  io::Connection& conn_;
  std::string pending_user_;
  bool handed_off_ = false;
  int bad_commands_ = 0;
  int auth_attempts_ = 0;
  std::string tried_user_, tried_method_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

asio::awaitable<void> serve(Shared& shared, asio::ip::tcp::socket socket);

}  // namespace correio::pop3_login
