// The start of a POP3 session after login (docs/prelogin.md): pop3-login ran the
// AUTHORIZATION state and handed the client over; the auth service confirmed the user.
// Here the maildrop is opened, and CAPA and QUIT (RFC 1939 §6, the UPDATE state) answered.
#include "login/hand_off.hpp"
#include "pop3d/session.hpp"
#include "store/mailbox_path.hpp"
#include "store/maildir_name.hpp"

namespace correio::pop3d {

asio::awaitable<Session::Next> Session::cmd_capa(const Command&) {
  co_return co_await send(
      "+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\n.\r\n");
}

asio::awaitable<Session::Next> Session::cmd_quit(const Command&) {
  // RFC 1939 §6: the UPDATE state; +OK only once the deletions are done.
  size_t marked = maildrop_->count() - maildrop_->live_count();
  bool updated = co_await finish_maildrop(true);
  if (!updated) {
    co_await err("[SYS/TEMP] Some deleted messages were not removed.");
    co_return Next::close;
  }
  std::string text = marked > 0 ? "Logging out, messages deleted." : "Logging out.";
  co_await ok(text);
  co_return Next::close;
}

asio::awaitable<bool> Session::open_maildrop(const std::string& username) {
  auto found = services_.users.lookup(username);
  if (!found || !*found) {
    log_.warning("pop3({}): user directory lookup failed after login", username);
    co_await err("[SYS/TEMP] Temporary authentication failure.");
    co_return false;
  }
  const auth::UserRecord& user = **found;
  std::string owner = user.user.find('@') != std::string::npos ? user.user : username;
  auto maildir = store::virtual_maildir_path(settings_.mailbox_base, owner, user.home,
                                             settings_.mail_location);
  if (!maildir) {
    log_.warning("pop3({}): no mailbox: {}", username, maildir.error().message);
    co_await err("[SYS/TEMP] Internal error occurred.");
    co_return false;
  }
  Maildrop::Options options;
  options.lock_session = settings_.lock_session;
  options.host_part = store::maildir_host_part(settings_.myhostname);
  Maildrop::Failure failure = Maildrop::Failure::none;
  auto drop = Maildrop::open(*maildir, options, &failure);
  if (!drop) {
    if (failure == Maildrop::Failure::in_use) {
      log_.info("pop3({}): maildrop in use by another POP3 session: {}", username, session_label());
      co_await err("[IN-USE] Mailbox is locked by another POP3 session.");
    } else {
      log_.warning("pop3({}): cannot open the maildrop: {}", username, drop.error().message);
      co_await err("[SYS/TEMP] Internal error occurred.");
    }
    co_return false;
  }
  maildrop_ = std::move(drop.value());
  username_ = username;
  co_return true;
}

asio::awaitable<void> Session::resume(const std::string& user) {
  conn_.set_timeout(settings_.timeout);
  // The login is over on pop3-login's side: no second try here (Dovecot's pop3 process
  // also ends a session whose maildrop it cannot open).
  bool opened = co_await open_maildrop(user);
  if (!opened) co_return;
  Next next = co_await ok("Logged in.");
  co_await serve_commands(next);
}

asio::awaitable<void> serve_hand_off(Services& services, const std::filesystem::path& auth_socket,
                                     asio::local::stream_protocol::socket socket) {
  auto accepted = co_await login::accept_hand_off(std::move(socket), auth_socket, services.log);
  if (!accepted) co_return;
  Session session(services, *accepted->connection);
  co_await session.resume(accepted->user);
}

}  // namespace correio::pop3d
