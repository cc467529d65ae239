// auth: the one place that reads password hashes (Dovecot's auth process). Answers SASL
// exchanges for smtpd over queue_directory/private/auth (auth/auth_protocol.hpp), keeps
// the failed-login throttle of all of them, and logs the passdb failures.
// SECURITY: talks only to local daemons through a private socket (mode 0600 in the
// private/ directory, owned by mail_owner); runs as root by default (master.cf unpriv
// "n") so that user_directory = unix: can read /etc/shadow, or as mail_owner with "-";
// parses only its clients' bounded lines and base64; opens no mailbox.
#include <fmt/format.h>

#include <memory>
#include <random>

#include "auth/login_log.hpp"
#include "authd/auth_session.hpp"
#include "authd/authd.hpp"
#include "service/login_services.hpp"

namespace correio::authd {
namespace {

// COOKIE in the greeting: Dovecot clients expect one (its master uses it to tie a login
// to its process); Correio's clients do not use it.
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
    state->auth.reset(new AuthState{
        *state->logins, ctx.log,
        auth::offered_auth_mechanisms(ctx.config.get_list("auth_mechanisms")),
        ctx.config.get_bool("auth_verbose"),
        std::string(auth::passdb_driver(ctx.config.get("user_directory"))), random_cookie()});
    return {};
  };
  daemon.local_session = [state](service::Context&, asio::local::stream_protocol::socket socket)
      -> asio::awaitable<void> { co_await serve_auth_client(*state->auth, std::move(socket)); };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::authd
