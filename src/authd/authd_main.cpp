// auth: the one place that reads password hashes (Dovecot's auth process). Answers SASL
// exchanges for smtpd over queue_directory/private/auth and for imap-login and pop3-login
// over queue_directory/login/auth (auth/auth_protocol.hpp), keeps the failed-login
// throttle of all of them, logs the passdb failures, and tells imapd and pop3d which user
// a login process really logged in (REQUEST, auth/auth_master_protocol.hpp).
// SECURITY: talks only to local daemons: private/auth (mode 0600 in private/, mail_owner)
// and login/auth (in login/, mode 0750, login_user's group), where REQUEST is refused;
// runs as root by default (master.cf unpriv "n") so that user_directory = unix: can read
// /etc/shadow, or as mail_owner with "-"; parses only its clients' bounded lines and
// base64; opens no mailbox.
#include <fmt/format.h>

#include <memory>
#include <random>

#include "auth/login_log.hpp"
#include "authd/auth_session.hpp"
#include "authd/authd.hpp"
#include "config/login_sockets.hpp"
#include "service/login_services.hpp"

namespace correio::authd {
namespace {

// COOKIE in the greeting: a login process hands it on with its request id, and the
// post-login side's REQUEST must name it (auth/auth_master_protocol.hpp): a login approved
// by an earlier auth process (pids are reused) is never confused with one of ours.
std::string random_cookie() {
  std::random_device random;
  std::string hex;
  for (int i = 0; i < 4; ++i) hex += fmt::format("{:08x}", random());
  return hex;
}

}  // namespace

int authd_main(const service::DaemonArgs& args) {
  struct State {
    std::unique_ptr<service::LoginServices> logins;
    std::unique_ptr<AuthState> auth;
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "auth";
  daemon.init = [state](service::Context& ctx) -> Status {
    // No trusted list here: each client says no-penalty for the clients it trusts
    // (login_trusted_networks, smtpd_client_event_limit_exceptions).
    auto logins = service::LoginServices::open(ctx.config, "", &ctx.metrics);
    if (!logins) return logins.error();
    state->logins = std::move(*logins);
    state->auth.reset(
        new AuthState{*state->logins, ctx.log,
                      auth::offered_auth_mechanisms(ctx.config.get_list("auth_mechanisms")),
                      ctx.config.get_bool("auth_verbose"),
                      std::string(auth::passdb_driver(ctx.config.get("user_directory"))),
                      random_cookie(), 0, LoginGrants{}});
    return {};
  };
  daemon.local_session = [state](
                             service::Context& ctx,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    // Which socket it came in on decides what the client may ask: the master binds the
    // auth service's login/ socket besides private/auth (config/login_sockets.hpp).
    std::error_code ec;
    std::filesystem::path path = socket.local_endpoint(ec).path();
    bool login = !ec && path.parent_path() == config::login_directory(ctx.config);
    co_await serve_auth_client(*state->auth, std::move(socket),
                               login ? ClientKind::login : ClientKind::trusted);
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::authd
