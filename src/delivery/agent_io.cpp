// Reading delivery requests, with a size limit and a composed deadline.
#include "delivery/agent_io.hpp"

#include <asio/buffer.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <string>

#include "io/deadline.hpp"

namespace correio::delivery {
namespace {

// Reads until the empty line that ends a message; false on EOF, error or oversize.
// `received` counts the bytes read, so that a close between requests is told apart.
asio::awaitable<bool> read_message(asio::local::stream_protocol::socket& socket,
                                   std::string& message, size_t& received) {
  std::string buffer;
  char chunk[8192];
  for (;;) {
    if (buffer == "\n") break;
    if (size_t end = buffer.find("\n\n"); end != std::string::npos) {
      buffer.resize(end + 1);
      break;
    }
    if (buffer.size() > kMaxMessageSize) co_return false;
    auto [ec, n] = co_await socket.async_read_some(
        asio::buffer(chunk), asio::experimental::as_tuple(asio::use_awaitable));
    received += n;
    if (ec) co_return false;
    buffer.append(chunk, n);
  }
  message = std::move(buffer);
  co_return true;
}

// Writes one request's results and the empty line after them; false when qmgr is gone.
asio::awaitable<bool> write_results(asio::local::stream_protocol::socket& socket,
                                    const DeliveryRequest& request,
                                    const std::vector<RecipientResult>& results,
                                    base::Logger& log) {
  std::string reply = encode_results(results) + "\n";
  auto [ec, n] = co_await asio::async_write(socket, asio::buffer(reply),
                                            asio::experimental::as_tuple(asio::use_awaitable));
  if (ec) log.warning("{}: cannot send delivery results: {}", request.queue_id, ec.message());
  co_return !ec;
}

}  // namespace

asio::awaitable<Result<DeliveryRequest>> read_request(asio::local::stream_protocol::socket& socket,
                                                      std::chrono::steady_clock::duration timeout,
                                                      base::Logger& log) {
  using namespace asio::experimental::awaitable_operators;
  std::string message;
  size_t received = 0;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto got = co_await (read_message(socket, message, received) || io::watchdog(deadline));
  // qmgr keeps connections open between requests and closes them when done with them:
  // silence before a request has begun is the normal end of a connection.
  if (got.index() == 1) {
    if (received > 0) log.warning("timeout reading delivery request");
    co_return Error{"timeout"};
  }
  if (!std::get<0>(got)) {
    if (received > 0) log.warning("delivery request: connection closed or request too large");
    co_return Error{"closed"};
  }
  auto request = decode_request(message);
  if (!request) log.warning("{}", request.error().message);
  co_return request;
}

asio::awaitable<void> serve_requests(
    asio::local::stream_protocol::socket& socket, std::chrono::steady_clock::duration timeout,
    base::Logger& log,
    const std::function<std::vector<RecipientResult>(const DeliveryRequest&)>& deliver) {
  for (;;) {
    auto request = co_await read_request(socket, timeout, log);
    if (!request) co_return;
    if (!co_await write_results(socket, *request, deliver(*request), log)) co_return;
  }
}

asio::awaitable<void> serve_requests_async(
    asio::local::stream_protocol::socket& socket, std::chrono::steady_clock::duration timeout,
    base::Logger& log,
    const std::function<asio::awaitable<std::vector<RecipientResult>>(const DeliveryRequest&)>&
        deliver) {
  for (;;) {
    auto request = co_await read_request(socket, timeout, log);
    if (!request) co_return;
    auto results = co_await deliver(*request);
    if (!co_await write_results(socket, *request, results, log)) co_return;
  }
}

}  // namespace correio::delivery
