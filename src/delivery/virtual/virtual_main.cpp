// The `virtual` daemon: one coroutine per qmgr connection (see virtual_main.hpp)
// serving its requests through delivery/agent_io, on a worker loop of its own.
#include "delivery/virtual/virtual_main.hpp"

#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <memory>

#include "auth/synchronized_directory.hpp"
#include "delivery/agent_io.hpp"
#include "delivery/protocol.hpp"
#include "io/worker_loops.hpp"

namespace correio::delivery::virtual_agent {
namespace {

// Delivery threads per agent process, each an event loop of its own (deliveries mostly
// wait on fsync).
constexpr int kDeliveryThreads = 8;

}  // namespace

asio::awaitable<void> serve_agent_connection(asio::local::stream_protocol::socket socket,
                                             AgentContext& context) {
  // Deliveries run here, on this connection's own loop: each blocks on a few fsyncs, and
  // only this loop's connections wait meanwhile.
  co_await serve_requests(
      socket, context.timeout, context.log, [&](const DeliveryRequest& request) {
        return deliver(request, context.settings, context.mailboxes, context.log);
      });
}

int virtual_main(const service::DaemonArgs& args) {
  struct State {
    std::unique_ptr<auth::UserDirectory> users;
    std::unique_ptr<VirtualMailboxes> table;
    io::WorkerLoops* loops = nullptr;  // a service of the daemon's io_context
    std::unique_ptr<AgentContext> context;
    std::unique_ptr<MailboxOwners> owners;
  };
  auto state = std::make_shared<State>();
  service::StreamDaemon daemon;
  daemon.process_name = "virtual";
  daemon.init = [state](service::Context& ctx) -> Status {
    // virtual_mailbox_maps, when set, names every mailbox (Postfix); user_directory then
    // serves logins only (docs/admin-guide.md, "User directories").
    auto table = VirtualMailboxes::from_config(ctx.config);
    if (!table) return table.error();
    state->table = std::move(table.value());
    if (state->table && !state->table->open_error().empty())
      ctx.log.warning("{}", state->table->open_error());
    std::string spec = ctx.config.get("user_directory");
    if (!state->table) {
      if (spec.empty())
        return Error{
            "neither virtual_mailbox_maps nor user_directory is set: the virtual agent has no "
            "mailboxes"};
      auto users = auth::open_user_directory(spec, ctx.config.get("auth_default_realm"));
      if (!users) return Error{"user_directory " + spec + ": " + users.error().message};
      state->users = std::make_unique<auth::SynchronizedUserDirectory>(std::move(users.value()));
    }
    auto owners = MailboxOwners::from_config(ctx.config);
    if (!owners) return owners.error();
    state->owners = std::move(owners.value());
    state->loops = &asio::make_service<io::WorkerLoops>(ctx.io, kDeliveryThreads);
    state->context = std::make_unique<AgentContext>(
        AgentContext{mailbox_settings_from_config(ctx.config), ctx.log,
                     MailboxFinder{state->users.get(), state->table.get(), state->owners.get()}});
    return {};
  };
  // Each qmgr connection moves to a worker loop and stays there; this loop only accepts.
  daemon.local_session = [state](
                             service::Context& ctx,
                             asio::local::stream_protocol::socket socket) -> asio::awaitable<void> {
    std::error_code ec;
    int fd = socket.release(ec);
    if (ec) {
      ctx.log.warning("cannot hand a qmgr connection to a delivery thread: {}", ec.message());
      co_return;
    }
    AgentContext& context = *state->context;
    asio::co_spawn(
        state->loops->next(),
        [fd, &context]() -> asio::awaitable<void> {
          asio::local::stream_protocol::socket moved(co_await asio::this_coro::executor);
          std::error_code assign_ec;
          moved.assign(asio::local::stream_protocol(), fd, assign_ec);
          if (assign_ec) {
            ::close(fd);
            co_return;
          }
          co_await serve_agent_connection(std::move(moved), context);
        },
        asio::detached);
  };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::delivery::virtual_agent
