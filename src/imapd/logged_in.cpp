// The post-login start of a session (docs/prelogin.md): imap-login logged the client in
// through the auth service and handed it over; the auth service confirmed the user.
#include "imapd/session.hpp"
#include "login/hand_off.hpp"
#include "store/mailbox_path.hpp"
#include "store/maildir_quota.hpp"

namespace correio::imapd {

Session::OpenUser Session::open_user(const std::string& username) {
  auto found = shared_.users.lookup(username);
  if (!found) {
    shared_.log.warning("user {}: user directory lookup failed: {}", username,
                        found.error().message);
    return OpenUser::unavailable;
  }
  if (!*found) return OpenUser::unknown;
  const auth::UserRecord* record = &**found;
  auto path = store::virtual_maildir_path(settings_.mailbox_base, record->user, record->home,
                                          settings_.mail_location);
  if (!path) {
    shared_.log.warning("user {}: {}", record->user, path.error().message);
    return OpenUser::unavailable;
  }
  mailbox::MailUserOptions options;
  options.special_use_folders = settings_.special_use_folders;
  options.work_pool = shared_.content_pool;
  options.log = &shared_.log;
  auto user = mailbox::MailUser::open(*path, options);
  if (!user) {
    shared_.log.warning("user {}: cannot open the mail store: {}", record->user,
                        user.error().message);
    return OpenUser::unavailable;
  }
  user_.emplace(std::move(*user));
  if (auto rule = record->extra("userdb_quota_rule")) quota_bytes_ = parse_quota_rule(*rule);
  username_ = record->user;
  state_ = State::authenticated;
  return OpenUser::ok;
}

uint64_t parse_quota_rule(std::string_view rule) {
  // The same reading as the delivery agents' enforcement (store/maildir_quota.hpp).
  store::QuotaLimits limits;
  store::apply_quota_rule(rule, limits);
  return limits.storage_bytes;
}

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
  co_await serve_logged_in(shared, *connection, user, tag);
}

asio::awaitable<void> serve_logged_in(Shared& shared, io::Connection& connection,
                                      const std::string& user, const std::string& tag) {
  Session session(shared, connection);
  co_await session.resume(user, tag);
}

}  // namespace correio::imapd
