// lmtpd: accepts LMTP sessions on TCP or UNIX-domain sockets and stores the mail in the
// recipients' Maildirs.
// SECURITY: talks to LMTP clients (MTAs; the listener decides who can reach it: loopback,
// a private UNIX socket); runs as the mailbox owner (mail_owner; virtual_uid_maps later)
// and writes only under virtual_mailbox_base and users' home directories.
#include <asio/thread_pool.hpp>
#include <memory>

#include "auth/synchronized_directory.hpp"
#include "lmtpd/lmtpd.hpp"
#include "lmtpd/session.hpp"
#include "lmtpd/settings.hpp"

namespace correio::lmtpd {
namespace {

// Concurrent deliveries per process (each mostly waits on fsync).
constexpr int kDeliveryThreads = 4;

}  // namespace

int lmtpd_main(const service::DaemonArgs& args) {
  struct State {
    Settings settings;
    std::unique_ptr<auth::UserDirectory> users;
    std::unique_ptr<asio::thread_pool> workers;
    std::unique_ptr<Services> services;
  };
  auto state = std::make_shared<State>();

  service::StreamDaemon daemon;
  daemon.process_name = "lmtpd";
  daemon.init = [state](service::Context& ctx) -> Status {
    state->settings = Settings::from_config(ctx.config);
    std::string spec = ctx.config.get("user_directory");
    if (spec.empty()) return Error{"user_directory is not set: lmtpd has no users"};
    auto users = auth::open_user_directory(spec, ctx.config.get("auth_default_realm"));
    if (!users) return Error{"user_directory " + spec + ": " + users.error().message};
    state->users = std::make_unique<auth::SynchronizedUserDirectory>(std::move(users.value()));
    state->workers = std::make_unique<asio::thread_pool>(kDeliveryThreads);
    state->services = std::make_unique<Services>(
        Services{state->settings, ctx.log, *state->users, *state->workers});
    return {};
  };
  daemon.session = [state](service::Context&,
                           asio::ip::tcp::socket socket) -> asio::awaitable<void> {
    co_await serve(*state->services, std::move(socket));
  };
  daemon.local_session = [state](service::Context&, asio::local::stream_protocol::socket socket)
      -> asio::awaitable<void> { co_await serve(*state->services, std::move(socket)); };
  // Deliveries still running on the pool use their sessions: they end before the
  // io_context, and with it every suspended session, is destroyed.
  daemon.finish = [state](service::Context&) {
    if (state->workers) state->workers->join();
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::lmtpd
