// One POP3 session after login (RFC 1939 with RFC 2449 CAPA): pop3-login ran the
// AUTHORIZATION state (STLS, USER/PASS, AUTH) and handed the client over; this is the
// TRANSACTION state on the user's maildrop, and UPDATE at QUIT. Commands are dispatched
// from one table; replies follow Dovecot's wording, so clients and administrators see
// what they know. Private to pop3d.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "io/connection.hpp"
#include "pop3d/command.hpp"
#include "pop3d/maildrop.hpp"
#include "pop3d/settings.hpp"

namespace correio::pop3d {

// What every session of one pop3d process shares; owned by the daemon, used from its one
// event-loop thread.
struct Services {
  const Settings& settings;
  base::Logger& log;
  // The users' homes. Passwords are the auth service's: the client logged in through
  // pop3-login (docs/prelogin.md).
  auth::UserDirectory& users;
};

class Session {
 public:
  Session(Services& services, io::Connection& connection);
  // After a hand-off from pop3-login (docs/prelogin.md): `user` is the auth service's
  // word; opens the maildrop, answers the login command and serves TRANSACTION. A
  // maildrop that cannot be opened ends the session after its -ERR. There is no other
  // way in: pop3d never sees a client before it has logged in.
  asio::awaitable<void> resume(const std::string& user);

  enum class Next { proceed, close };

 private:
  // The command loop from `next` on, and the end of the session.
  asio::awaitable<void> serve_commands(Next next);
  asio::awaitable<Next> dispatch(const Command& command);
  // logged_in.cpp
  asio::awaitable<Next> cmd_capa(const Command& command);
  asio::awaitable<Next> cmd_quit(const Command& command);
  // cmd_transaction.cpp
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
  // After the login: opens the maildrop and enters TRANSACTION (false: -ERR sent).
  asio::awaitable<bool> open_maildrop(const std::string& username);
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

  std::string username_;
  std::unique_ptr<Maildrop> maildrop_;
  int bad_commands_ = 0;
  bool finished_ = false;  // finish_maildrop ran
  // Dovecot's logout statistics: top=N/bytes, retr=N/bytes, del=N/of.
  uint64_t top_count_ = 0, top_bytes_ = 0, retr_count_ = 0, retr_bytes_ = 0;
  uint32_t deleted_count_ = 0;
};

// One hand-off from pop3-login on the post-login socket (login/hand_off.hpp): checked with
// the auth service at `auth_socket`, then served in TRANSACTION.
asio::awaitable<void> serve_hand_off(Services& services, const std::filesystem::path& auth_socket,
                                     asio::local::stream_protocol::socket socket);

}  // namespace correio::pop3d
