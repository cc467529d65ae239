// pop3d: POP3 sessions after login: clients that pop3-login logged in and handed over
// (docs/prelogin.md) on its socket in queue_directory/login/.
// SECURITY: talks to authenticated POP3 clients; runs as the mailbox owner (mail_owner;
// virtual_uid_maps later) because it reads and changes the user's Maildir; believes a
// login only when the auth service confirms it (private/auth, REQUEST); parses only
// bounded command lines.
#include <memory>

#include "config/login_sockets.hpp"
#include "pop3d/pop3d.hpp"
#include "pop3d/session.hpp"
#include "pop3d/settings.hpp"
#include "service/login_services.hpp"

namespace correio::pop3d {

int pop3d_main(const service::DaemonArgs& args) {
  struct State {
    Settings settings;
    std::unique_ptr<auth::UserDirectory> users;
    std::unique_ptr<Services> services;
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "pop3d";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = Settings::from_config(ctx.config);
    // No TLS, no passwords: pop3-login ends TLS and the auth service checks the login.
    auto users = service::open_configured_user_directory(ctx.config);
    if (!users) return users.error();
    state->users = std::move(*users);
    state->services = std::make_unique<Services>(Services{state->settings, ctx.log, *state->users});
    return {};
  };
  daemon.local_session = [state](
                             service::Context& ctx,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    std::filesystem::path auth_socket = config::private_auth_socket(ctx.config);
    co_await serve_hand_off(*state->services, auth_socket, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::pop3d
