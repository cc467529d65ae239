// One request/response exchange with a delivery agent over a UNIX stream socket.
#include "qmgr/agent_client.hpp"

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "io/deadline.hpp"

namespace correio::qmgr {

using namespace asio::experimental::awaitable_operators;

namespace {

asio::awaitable<Result<std::string>> exchange(asio::local::stream_protocol::socket& socket,
                                              const std::filesystem::path& socket_path,
                                              std::string request) {
  std::error_code ec;
  co_await socket.async_connect(asio::local::stream_protocol::endpoint(socket_path.string()),
                                asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"connect to " + socket_path.string() + ": " + ec.message()};
  co_await asio::async_write(socket, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"write to " + socket_path.string() + ": " + ec.message()};
  std::string reply;
  char buf[4096];
  for (;;) {
    size_t n = co_await socket.async_read_some(asio::buffer(buf),
                                               asio::redirect_error(asio::use_awaitable, ec));
    reply.append(buf, n);
    if (reply == "\n" || (reply.size() >= 2 && reply.compare(reply.size() - 2, 2, "\n\n") == 0))
      break;
    if (ec) co_return Error{"read from " + socket_path.string() + ": " + ec.message()};
    if (reply.size() > delivery::kMaxMessageSize)
      co_return Error{"reply from " + socket_path.string() + " too long"};
  }
  reply.pop_back();  // the empty line that ends the message
  co_return reply;
}

}  // namespace

asio::awaitable<Result<std::vector<delivery::RecipientResult>>> call_agent(
    const std::filesystem::path& socket_path, const delivery::DeliveryRequest& request,
    std::chrono::seconds timeout) {
  asio::local::stream_protocol::socket socket(co_await asio::this_coro::executor);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto outcome =
      co_await (exchange(socket, socket_path, delivery::encode_request(request) + "\n") ||
                io::watchdog(deadline));
  if (outcome.index() == 1) co_return Error{"timeout talking to " + socket_path.string()};
  auto& reply = std::get<0>(outcome);
  if (!reply) co_return reply.error();
  co_return delivery::decode_results(*reply);
}

}  // namespace correio::qmgr
