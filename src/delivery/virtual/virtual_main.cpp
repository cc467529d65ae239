// The `virtual` daemon: one straight-line coroutine per qmgr connection (see
// virtual_main.hpp), with the request read under a composed deadline.
#include "delivery/virtual/virtual_main.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "delivery/protocol.hpp"
#include "io/deadline.hpp"

namespace correio::delivery::virtual_agent {
namespace {

using asio::experimental::as_tuple;

// Reads until the empty line that ends a message; false on EOF, error or oversize.
asio::awaitable<bool> read_message(asio::local::stream_protocol::socket& socket,
                                   std::string& message) {
  std::string buffer;
  char chunk[8192];
  for (;;) {
    // The message ends at the first "\n\n" (or at a lone "\n" for an empty message).
    if (buffer == "\n") break;
    if (size_t end = buffer.find("\n\n"); end != std::string::npos) {
      buffer.resize(end + 1);
      break;
    }
    if (buffer.size() > kMaxMessageSize) co_return false;
    auto [ec, n] =
        co_await socket.async_read_some(asio::buffer(chunk), as_tuple(asio::use_awaitable));
    if (ec) co_return false;
    buffer.append(chunk, n);
  }
  message = std::move(buffer);
  co_return true;
}

}  // namespace

asio::awaitable<void> serve_agent_connection(asio::local::stream_protocol::socket socket,
                                             AgentContext& context) {
  using namespace asio::experimental::awaitable_operators;
  std::string message;
  auto deadline = std::chrono::steady_clock::now() + context.timeout;
  auto got = co_await (read_message(socket, message) || io::watchdog(deadline));
  if (got.index() == 1) {
    context.log.warning("timeout reading delivery request");
    co_return;
  }
  if (!std::get<0>(got)) {
    context.log.warning("delivery request: connection closed or request too large");
    co_return;
  }
  auto request = decode_request(message);
  if (!request) {
    context.log.warning("{}", request.error().message);
    co_return;
  }
  auto results = deliver(*request, context.settings, context.users, context.log);
  std::string reply = encode_results(results) + "\n";
  auto [ec, n] =
      co_await asio::async_write(socket, asio::buffer(reply), as_tuple(asio::use_awaitable));
  if (ec)
    context.log.warning("{}: cannot send delivery results: {}", request->queue_id, ec.message());
}

// HOOK NEEDED: service::run_stream_daemon() serves TCP listeners only. Once it accepts
// UNIX-socket listeners and hands each connection to a
//   std::function<asio::awaitable<void>(Context&, asio::local::stream_protocol::socket)>
// this becomes: init = open user_directory, build an AgentContext; session =
// serve_agent_connection. Until then the daemon refuses to start rather than pretend.
int virtual_main(const service::DaemonArgs& args) {
  (void)args;
  base::Logger::Options options;
  options.process_name = "virtual";
  base::Logger log(std::move(options));
  log.fatal("the service skeleton does not serve UNIX-socket listeners yet");
  return 1;
}

}  // namespace correio::delivery::virtual_agent
