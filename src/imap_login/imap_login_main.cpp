// imap-login: IMAP before login (Dovecot's imap-login). Greets clients, runs TLS, and
// logs them in through the auth service; hands each logged-in client to the post-login
// imapd of its listener, and stays as the TLS proxy of those that use TLS.
// SECURITY: talks to untrusted clients before they have logged in; runs as login_user
// (neither root nor mail_owner, its own group only), so it can open no mailbox, no queue
// file and no password file; reaches only queue_directory/login/ (the auth service's
// login socket, where it may not ask REQUEST, and its imapd's hand-off socket), and reads
// the TLS certificates. Logs as imapd (imapd_syslog_name), as it did before the split.
#include <memory>

#include "config/login_sockets.hpp"
#include "imap_login/imap_login.hpp"
#include "imap_login/login_session.hpp"
#include "service/server_tls.hpp"

namespace correio::imap_login {

int imap_login_main(const service::DaemonArgs& args) {
  struct State {
    imapd::Settings settings;
    std::unique_ptr<Shared> shared;
    std::unique_ptr<imapd::CommandMetrics> metrics;  // null unless metrics_enable
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "imapd";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = imapd::Settings::from_config(ctx.config);
    auto tls = service::open_configured_server_tls(ctx, "imapd");
    if (!tls) return tls.error();
    state->settings.tls = std::move(*tls);
    auto trusted = maps::NetworkList::parse(ctx.config.get("login_trusted_networks"));
    if (!trusted) return Error{"login_trusted_networks: " + trusted.error().message};
    state->shared.reset(
        new Shared{state->settings, ctx.log, config::login_auth_socket(ctx.config),
                   config::handoff_socket(ctx.config, "imap-login", ctx.args.service_name),
                   std::move(*trusted)});
    if (ctx.metrics.enabled()) {
      state->metrics = std::make_unique<imapd::CommandMetrics>(ctx.metrics);
      state->shared->metrics = state->metrics.get();
    }
    return {};
  };
  daemon.session = [state](service::Context&,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(*state->shared, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::imap_login
