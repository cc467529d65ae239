// The `local` daemon: one coroutine per qmgr connection (see local_main.hpp)
// serving its requests through delivery/agent_io.
#include "delivery/local/local_main.hpp"

#include <asio/use_awaitable.hpp>

#include "delivery/agent_io.hpp"
#include "delivery/protocol.hpp"

namespace correio::delivery::local_agent {
asio::awaitable<void> serve_agent_connection(asio::local::stream_protocol::socket socket,
                                             AgentContext& context) {
  co_await serve_requests(socket, context.timeout, context.log,
                          [&](const DeliveryRequest& request) {
                            return deliver(request, context.settings, context.log);
                          });
}

int local_main(const service::DaemonArgs& args) {
  auto context = std::make_shared<std::unique_ptr<AgentContext>>();
  service::StreamDaemon daemon;
  daemon.process_name = "local";
  daemon.init = [context](service::Context& ctx) -> Status {
    auto settings = agent_settings_from_config(ctx.config);
    if (!settings) return settings.error();
    *context = std::make_unique<AgentContext>(AgentContext{std::move(*settings), ctx.log});
    return {};
  };
  daemon.local_session = [context](service::Context&, asio::local::stream_protocol::socket socket)
      -> asio::awaitable<void> { co_await serve_agent_connection(std::move(socket), **context); };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::delivery::local_agent
