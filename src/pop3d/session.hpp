// One POP3 session (RFC 1939, with RFC 2449 CAPA, RFC 2595 STLS, RFC 5034 AUTH): a
// straight-line coroutine in the AUTHORIZATION state until a login succeeds, then in
// TRANSACTION on the user's maildrop, and UPDATE at QUIT. Commands are dispatched from one
// table carrying the states each is allowed in; replies follow Dovecot's wording, so
// clients and administrators see what they know. Private to pop3d.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/sasl.hpp"
#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "io/connection.hpp"
#include "pop3d/command.hpp"
#include "pop3d/maildrop.hpp"
#include "pop3d/settings.hpp"
#include "service/login_services.hpp"

namespace correio::pop3d {

// What every session of one pop3d process shares; owned by the daemon, used from its one
// event-loop thread.
struct Services {
  const Settings& settings;
  base::Logger& log;
  service::LoginServices& logins;        // the users, SASL and the failed-login throttle
  metrics::Registry* metrics = nullptr;  // TLS handshakes for the exporter; null: not counted
};

class Session {
 public:
  Session(Services& services, io::Connection& connection);
  asio::awaitable<void> run();
  // After a hand-off from pop3-login (docs/prelogin.md): `user` is the auth service's
  // word; opens the maildrop, answers the login command and serves TRANSACTION. A
  // maildrop that cannot be opened ends the session after its -ERR.
  asio::awaitable<void> resume(const std::string& user, const std::string& method);

  enum class Next { proceed, close };

 private:
  enum class State { authorization, transaction };

  // The command loop from `next` on, and the end of the session.
  asio::awaitable<void> serve_commands(Next next);
  asio::awaitable<Next> dispatch(const Command& command);
  // AUTHORIZATION (cmd_auth.cpp)
  asio::awaitable<Next> cmd_capa(const Command& command);
  asio::awaitable<Next> cmd_stls(const Command& command);
  asio::awaitable<Next> cmd_user(const Command& command);
  asio::awaitable<Next> cmd_pass(const Command& command);
  asio::awaitable<Next> cmd_auth(const Command& command);
  asio::awaitable<Next> cmd_apop(const Command& command);
  asio::awaitable<Next> cmd_quit(const Command& command);
  // TRANSACTION (cmd_transaction.cpp)
  asio::awaitable<Next> cmd_stat(const Command& command);
  asio::awaitable<Next> cmd_list(const Command& command);
  asio::awaitable<Next> cmd_uidl(const Command& command);
  asio::awaitable<Next> cmd_retr(const Command& command);
  asio::awaitable<Next> cmd_top(const Command& command);
  asio::awaitable<Next> cmd_dele(const Command& command);
  asio::awaitable<Next> cmd_noop(const Command& command);
  asio::awaitable<Next> cmd_rset(const Command& command);

  // "+OK text" / "-ERR text"; errors count towards pop3d_max_bad_commands.
  asio::awaitable<Next> ok(std::string_view text);
  asio::awaitable<Next> err(std::string_view text);
  asio::awaitable<Next> send(std::string_view wire);
  // The TLS handshake (STLS or wrapper mode) and its log line.
  asio::awaitable<bool> handshake();
  // Whether USER/PASS and the PLAIN/LOGIN mechanisms may be used now (RFC 2595 §3.1).
  bool cleartext_allowed() const;
  auth::SaslOffer sasl_offer() const;
  // After a successful password check: opens the maildrop and enters TRANSACTION.
  asio::awaitable<Next> login(const std::string& username, std::string_view method);
  // A failed login: logged, delayed by the throttle, answered.
  asio::awaitable<Next> login_failed(std::string_view user, std::string_view method,
                                     auth::SaslStep::Failure failure, std::string_view reason);
  // Ends the maildrop's part of the session once: \Seen for retrieved messages, and with
  // `update` the deletions; logs the logout line. False when the store failed.
  asio::awaitable<bool> finish_maildrop(bool update);
  // The message a RETR/TOP/LIST/DELE/UIDL argument names, or an -ERR already sent.
  Maildrop::Message* message_arg(const Command& command, size_t index, std::string& error);
  std::string session_label() const;  // "rip=127.0.0.1, lip=127.0.0.1, TLS"

  Services& services_;
  const Settings& settings_;
  base::Logger& log_;
  io::Connection& conn_;

  State state_ = State::authorization;
  std::string pending_user_;  // USER given, PASS expected
  std::string username_;      // after login
  std::unique_ptr<Maildrop> maildrop_;
  int bad_commands_ = 0;
  int auth_attempts_ = 0;
  std::string tried_user_, tried_method_;  // the last failed login, for the disconnect line
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool finished_ = false;  // finish_maildrop ran
  bool resumed_ = false;   // handed over by pop3-login, which logged the login
  // Dovecot's logout statistics: top=N/bytes, retr=N/bytes, del=N/of.
  uint64_t top_count_ = 0, top_bytes_ = 0, retr_count_ = 0, retr_bytes_ = 0;
  uint32_t deleted_count_ = 0;
};

asio::awaitable<void> serve(Services& services, asio::ip::tcp::socket socket);
// One hand-off from pop3-login on the post-login socket (login/hand_off.hpp): checked with
// the auth service at `auth_socket`, then served in TRANSACTION.
asio::awaitable<void> serve_hand_off(Services& services, const std::filesystem::path& auth_socket,
                                     asio::local::stream_protocol::socket socket);

}  // namespace correio::pop3d
