// The post-login start of a session (docs/prelogin.md): imap-login logged the client in
// through the auth service and handed it over; the auth service confirmed the user.
#include "imapd/session.hpp"
#include "login/hand_off.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::resume(const std::string& user, const std::string& tag) {
  OpenUser opened = open_user(user);
  if (opened != OpenUser::ok) {
    // The login is over on imap-login's side: no second try here (Dovecot's imap process
    // also ends a session whose user it cannot set up).
    if (opened == OpenUser::unknown)
      shared_.log.warning("user {}: logged in, but not in the user directory", user);
    out_ = tag +
           " NO [UNAVAILABLE] Temporary failure: cannot open the mail store; try again later.\r\n"
           "* BYE Internal error.\r\n";
    co_await flush();
    co_return;
  }
  out_ = tag + " OK [CAPABILITY " + capabilities() + "] Logged in\r\n";
  co_await converse();
}

asio::awaitable<void> serve_hand_off(Shared& shared, const std::filesystem::path& auth_socket,
                                     asio::local::stream_protocol::socket socket) {
  auto accepted = co_await login::accept_hand_off(std::move(socket), auth_socket, shared.log);
  if (!accepted) co_return;
  // Only the connection, the user and the tag last as long as the session (hours, for an
  // IDLE client): the hand-off's cookie and addresses are freed now.
  std::unique_ptr<io::Connection> connection = std::move(accepted->connection);
  std::string user = std::move(accepted->user);
  std::string tag = std::move(accepted->handoff.tag);
  accepted.reset();
  Session session(shared, *connection);
  co_await session.resume(user, tag);
}

}  // namespace correio::imapd
