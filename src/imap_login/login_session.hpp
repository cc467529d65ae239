// One IMAP connection before login (Dovecot's imap-login): greeting, CAPABILITY, NOOP,
// LOGOUT, ID, STARTTLS (or wrapper-mode TLS), LOGIN and AUTHENTICATE through the auth
// service, and the login deadline. After the auth service's OK the client is handed to the
// post-login imapd (login/hand_off.hpp), which answers the login command's tag. Any other
// command is "Not logged in". Private to imap-login.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "auth/auth_protocol.hpp"
#include "auth/sasl.hpp"
#include "base/log.hpp"
#include "imapd/command_metrics.hpp"
#include "imapd/parser.hpp"
#include "imapd/settings.hpp"
#include "io/connection.hpp"
#include "maps/network_list.hpp"

namespace correio::imap_login {

// What the process shares with every session; owned by imap_login_main, used from its one
// event-loop thread.
struct Shared {
  const imapd::Settings& settings;  // imapd's parameters, with this listener's -o overrides
  base::Logger& log;
  std::filesystem::path auth_socket;     // queue_directory/login/auth
  std::filesystem::path handoff_socket;  // queue_directory/login/imapd-NAME
  maps::NetworkList trusted;             // login_trusted_networks: no-penalty at the auth service
  // The next AUTH request id: (this process's pid, the id) names one login at the auth
  // service across all of its connections.
  unsigned long next_auth_id = 0;
  // Command latencies and TLS handshakes under this listener's name, as imapd counted them
  // before the split; null unless metrics_enable.
  imapd::CommandMetrics* metrics = nullptr;
};

class LoginSession {
 public:
  LoginSession(Shared& shared, io::Connection& connection);
  asio::awaitable<void> run();

 private:
  struct Command {
    std::string tag;
    std::string name;
  };
  asio::awaitable<void> converse();
  asio::awaitable<void> execute(std::string_view text);
  asio::awaitable<void> cmd_starttls(const Command& c, imapd::Parser& p);
  asio::awaitable<void> cmd_login(const Command& c, imapd::Parser& p);
  asio::awaitable<void> cmd_authenticate(const Command& c, imapd::Parser& p);
  void cmd_id(const Command& c, imapd::Parser& p);
  // The exchange with the auth service, then the hand-off (cmd_auth.cpp).
  asio::awaitable<void> authenticate(const Command& c, auth::protocol::AuthStart request,
                                     std::string_view login_user);
  asio::awaitable<void> logged_in(const Command& c, const std::string& user,
                                  const std::string& method, unsigned long auth_id,
                                  const std::string& cookie);
  void failed(const Command& c, const auth::protocol::Failure& failure, std::string_view user,
              std::string_view method);
  // A response line to a challenge, base64-decoded; nullopt after the reply is queued.
  asio::awaitable<std::optional<std::string>> read_response(const Command& c);

  bool cleartext_allowed() const;
  auth::SaslOffer sasl_offer() const;
  std::string capabilities() const;
  std::string client_label() const;  // "rip=..., lip=..."
  void tagged(const Command& c, std::string_view status, std::string_view text);
  asio::awaitable<bool> flush();

  Shared& shared_;
  const imapd::Settings& settings_;
  io::Connection& conn_;
  std::string out_;
  bool done_ = false;        // LOGOUT, a fatal error, or handed off
  bool handed_off_ = false;  // the post-login imapd has the client
  // The command being executed and since when, for its latency (metrics).
  std::string last_command_;
  std::chrono::steady_clock::time_point command_started_{};
  int failed_logins_ = 0;
  std::string tried_user_, tried_method_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
};

asio::awaitable<void> serve(Shared& shared, asio::ip::tcp::socket socket);

}  // namespace correio::imap_login
