// pop3-login: POP3 before login (Dovecot's pop3-login). Greets clients, runs TLS, and
// logs them in through the auth service; hands each logged-in client to the post-login
// pop3d of its listener, and stays as the TLS proxy of those that use TLS.
// SECURITY: talks to untrusted clients before they have logged in; runs as login_user
// (neither root nor mail_owner, its own group only), so it can open no maildrop, no queue
// file and no password file; reaches only queue_directory/login/, and reads the TLS
// certificates. Logs as pop3d (pop3d_syslog_name), as it did before the split.
#include <memory>

#include "config/login_sockets.hpp"
#include "pop3_login/login_session.hpp"
#include "pop3_login/pop3_login.hpp"
#include "service/server_tls.hpp"

namespace correio::pop3_login {

int pop3_login_main(const service::DaemonArgs& args) {
  struct State {
    pop3d::Settings settings;
    std::unique_ptr<Shared> shared;
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "pop3d";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = pop3d::Settings::from_config(ctx.config);
    auto tls = service::open_configured_server_tls(ctx, "pop3d");
    if (!tls) return tls.error();
    state->settings.tls = std::move(*tls);
    auto trusted = maps::NetworkList::parse(ctx.config.get("login_trusted_networks"));
    if (!trusted) return Error{"login_trusted_networks: " + trusted.error().message};
    state->shared.reset(
        new Shared{state->settings, ctx.log, config::login_auth_socket(ctx.config),
                   config::handoff_socket(ctx.config, "pop3-login", ctx.args.service_name),
                   std::move(*trusted)});
    if (ctx.metrics.enabled()) state->shared->metrics = &ctx.metrics;
    return {};
  };
  daemon.session = [state](service::Context&,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(*state->shared, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::pop3_login
