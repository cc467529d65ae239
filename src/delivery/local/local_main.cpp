// The `local` daemon: one straight-line coroutine per qmgr connection (see
// local_main.hpp), with the request read under a composed deadline.
#include "delivery/local/local_main.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "delivery/agent_io.hpp"
#include "delivery/protocol.hpp"
#include "io/deadline.hpp"

namespace correio::delivery::local_agent {
namespace {

using asio::experimental::as_tuple;

}  // namespace

asio::awaitable<void> serve_agent_connection(asio::local::stream_protocol::socket socket,
                                             AgentContext& context) {
  // One request at a time until qmgr closes the connection (it keeps it between messages).
  for (;;) {
    auto request = co_await read_request(socket, context.timeout, context.log);
    if (!request) co_return;
    auto results = deliver(*request, context.settings, context.log);
    std::string reply = encode_results(results) + "\n";
    auto [ec, n] =
        co_await asio::async_write(socket, asio::buffer(reply), as_tuple(asio::use_awaitable));
    if (ec) {
      context.log.warning("{}: cannot send delivery results: {}", request->queue_id, ec.message());
      co_return;
    }
  }
}

int local_main(const service::DaemonArgs& args) {
  auto context = std::make_shared<std::unique_ptr<AgentContext>>();
  service::StreamDaemon daemon;
  daemon.process_name = "local";
  daemon.init = [context](service::Context& ctx) -> Status {
    *context = std::make_unique<AgentContext>(
        AgentContext{agent_settings_from_config(ctx.config), ctx.log});
    return {};
  };
  daemon.local_session = [context](service::Context&, asio::local::stream_protocol::socket socket)
      -> asio::awaitable<void> { co_await serve_agent_connection(std::move(socket), **context); };
  return service::run_stream_daemon(args, daemon);
}

}  // namespace correio::delivery::local_agent
