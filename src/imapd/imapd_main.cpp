// imapd: the IMAP server. Serves users' Maildirs to mail clients.
// SECURITY: talks to untrusted clients; runs as mail_owner (never root when started by a
// root master); reads and writes only the Maildirs under virtual_mailbox_base (or users'
// homes) and reads the user directory.
#include <algorithm>
#include <memory>
#include <thread>

#include "auth/login_throttle.hpp"
#include "auth/sasl.hpp"
#include "auth/user_directory.hpp"
#include "imapd/folder_watcher.hpp"
#include "imapd/imapd.hpp"
#include "imapd/session.hpp"
#include "imapd/settings.hpp"
#include "service/server_tls.hpp"

namespace correio::imapd {

int imapd_main(const service::DaemonArgs& args) {
  struct State {
    Settings settings;
    std::unique_ptr<auth::UserDirectory> users;
    std::unique_ptr<auth::SaslAuthenticator> sasl;
    std::unique_ptr<auth::LoginThrottle> throttle;
    std::unique_ptr<FolderWatcher> watcher;
    std::unique_ptr<asio::thread_pool> workers;
    std::unique_ptr<Shared> shared;
    ~State() {
      // The event loop has ended: commands still waiting on a socket never complete.
      if (workers) {
        workers->stop();
        workers->join();
      }
    }
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "imapd";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = Settings::from_config(ctx.config);
    Settings& s = state->settings;
    bool wants_tls = !ctx.config.get("imapd_tls_cert_file").empty() ||
                     !ctx.config.get("imapd_tls_chain_files").empty();
    if (wants_tls) {
      auto tls = service::open_server_tls(ctx.config, "imapd", s.tls_wrappermode, ctx.log);
      if (!tls) return tls.error();
      s.tls = std::move(*tls);
    } else if (s.tls_wrappermode) {
      return Error{
          "imapd_tls_wrappermode = yes needs imapd_tls_cert_file or imapd_tls_chain_files"};
    }
    if (!s.user_directory.empty()) {
      auto users =
          auth::open_user_directory(s.user_directory, ctx.config.get("auth_default_realm"));
      if (!users) return Error{"user_directory: " + users.error().message};
      state->users = std::move(*users);
      auth::SaslAuthenticator::Options options;
      options.hostname = s.hostname;
      state->sasl = std::make_unique<auth::SaslAuthenticator>(*state->users, options);
    } else {
      ctx.log.warning("user_directory is empty: every login fails");
    }
    auth::LoginThrottle::Options throttle;
    throttle.delay = std::chrono::duration_cast<std::chrono::milliseconds>(s.failure_delay);
    throttle.max_delay = std::chrono::duration_cast<std::chrono::milliseconds>(s.failure_max_delay);
    throttle.limit = s.failure_limit;
    throttle.window = s.failure_window;
    state->throttle = std::make_unique<auth::LoginThrottle>(throttle);
    state->watcher = std::make_unique<FolderWatcher>(ctx.io);
    int threads = s.worker_threads;
    if (threads <= 0)
      threads = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    state->workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(threads));
    state->shared.reset(new Shared{state->settings, ctx.log, state->users.get(), state->sasl.get(),
                                   *state->throttle, *state->watcher, state->workers.get()});
    return {};
  };
  daemon.session = [state](service::Context&,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(*state->shared, std::move(socket));
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::imapd
