// imapd: the IMAP server after login. Serves users' Maildirs to mail clients that
// imap-login logged in and handed over (docs/prelogin.md).
// SECURITY: talks to authenticated clients only; runs as mail_owner (never root when
// started by a root master); accepts hand-offs on its socket in queue_directory/login/
// and believes a login only when the auth service confirms it (private/auth, REQUEST);
// reads and writes only the Maildirs under virtual_mailbox_base (or users' homes) and
// reads the user directory for users' homes and quotas.
#include <algorithm>
#include <memory>
#include <thread>

#include "config/login_sockets.hpp"
#include "imapd/folder_watcher.hpp"
#include "imapd/imapd.hpp"
#include "imapd/session.hpp"
#include "imapd/settings.hpp"
#include "imapd/store_pool.hpp"
#include "service/login_services.hpp"

namespace correio::imapd {

int imapd_main(const service::DaemonArgs& args) {
  struct State {
    Settings settings;
    std::unique_ptr<auth::UserDirectory> users;
    std::unique_ptr<FolderWatcher> watcher;
    std::unique_ptr<asio::thread_pool> workers;
    std::unique_ptr<StorePool> content_pool;
    std::unique_ptr<CommandMetrics> metrics;  // null unless metrics_enable
    std::unique_ptr<Shared> shared;
    std::filesystem::path auth_socket;  // once, not in every session's frame
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
    // No TLS, no passwords: imap-login ends TLS and the auth service checks the login.
    auto users = service::open_configured_user_directory(ctx.config);
    if (!users) return users.error();
    state->users = std::move(*users);
    state->watcher = std::make_unique<FolderWatcher>(ctx.io);
    state->auth_socket = config::private_auth_socket(ctx.config);
    int threads = s.worker_threads;
    if (threads <= 0)
      threads = 4 * static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    state->workers = std::make_unique<asio::thread_pool>(static_cast<size_t>(threads));
    state->content_pool = std::make_unique<StorePool>(*state->workers);
    state->shared.reset(new Shared{state->settings, ctx.log, *state->users, *state->watcher,
                                   state->workers.get(), state->content_pool.get()});
    if (ctx.metrics.enabled()) {
      state->metrics = std::make_unique<CommandMetrics>(ctx.metrics);
      state->shared->metrics = state->metrics.get();
    }
    return {};
  };
  daemon.local_session = [state](
                             service::Context&,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    co_await serve_hand_off(*state->shared, state->auth_socket, std::move(socket));
  };
  // Commands still running on the pool use their sessions: they end before the io_context,
  // and with it every suspended session, is destroyed (not after, in ~State).
  daemon.finish = [state](service::Context&) {
    if (state->workers) {
      state->workers->stop();
      state->workers->join();
    }
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::imapd
