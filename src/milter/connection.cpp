// Sockets, deadlines and the negotiation of one milter connection (see connection.hpp).
#include "milter/connection.hpp"

#include <asio/experimental/awaitable_operators.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "io/deadline.hpp"

namespace correio::milter {
namespace {

using namespace asio::experimental::awaitable_operators;
using Generic = asio::generic::stream_protocol;

asio::awaitable<Result<Generic::socket>> connect(const std::string& address) {
  auto executor = co_await asio::this_coro::executor;
  std::error_code ec;
  if (address.starts_with("unix:")) {
    const Generic::endpoint endpoint(asio::local::stream_protocol::endpoint(address.substr(5)));
    Generic::socket socket(executor);
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Error{"connect: " + ec.message()};
    co_return std::move(socket);
  }
  std::string_view hostport = std::string_view(address).substr(5);  // "inet:"
  size_t colon = hostport.rfind(':');
  std::string host(hostport.substr(0, colon));
  if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
  const std::string port(hostport.substr(colon + 1));
  asio::ip::tcp::resolver resolver(executor);
  auto endpoints =
      co_await resolver.async_resolve(host, port, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"resolve " + host + ": " + ec.message()};
  ec = asio::error::host_not_found;
  for (const auto& entry : endpoints) {
    Generic::socket socket(executor);
    const Generic::endpoint endpoint(entry.endpoint());
    co_await socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
    if (!ec) co_return std::move(socket);
  }
  co_return Error{"connect: " + ec.message()};
}

asio::awaitable<Result<std::unique_ptr<Connection>>> open_and_negotiate(const MilterSpec& spec) {
  auto socket = co_await connect(spec.address);
  if (!socket) co_return socket.error();
  auto connection = std::make_unique<Connection>(std::move(*socket));
  Negotiation offer;
  offer.version = spec.protocol;
  offer.actions = action::kAll;
  offer.steps = offered_steps(spec.protocol);
  Status sent =
      co_await connection->send(cmd::kOptneg, encode_negotiation(offer), spec.connect_timeout);
  if (!sent) co_return sent.error();
  auto reply = co_await connection->read(spec.connect_timeout);
  if (!reply) co_return reply.error();
  if (reply->command != rep::kOptneg)
    co_return Error{std::string("unexpected reply '") + reply->command + "' to SMFIC_OPTNEG"};
  auto agreed = decode_negotiation(reply->data);
  if (!agreed) co_return agreed.error();
  if (agreed->version < 2 || agreed->version > spec.protocol)
    co_return Error{"protocol version " + std::to_string(agreed->version) + " is not 2 to " +
                    std::to_string(spec.protocol)};
  // As Postfix: what the milter asks beyond our offer is dropped (and it will be refused
  // if it tries to use an action it was not granted).
  agreed->actions &= offer.actions;
  agreed->steps &= offer.steps;
  connection->set_negotiated(std::move(*agreed));
  co_return connection;
}

}  // namespace

uint32_t offered_steps(uint32_t version) {
  uint32_t steps = step::kNoConnect | step::kNoHelo | step::kNoMail | step::kNoRcpt |
                   step::kNoBody | step::kNoHeaders | step::kNoEndOfHeader;
  if (version >= 3) steps |= step::kNoReplyHeader | step::kNoUnknown;
  if (version >= 4) steps |= step::kNoData;
  if (version >= 6)
    steps |= step::kSkip | step::kNoReplyConnect | step::kNoReplyHelo | step::kNoReplyMail |
             step::kNoReplyRcpt | step::kNoReplyData | step::kNoReplyUnknown |
             step::kNoReplyEndOfHeader | step::kNoReplyBody | step::kHeaderLeadingSpace;
  return steps;
}

asio::awaitable<Result<std::unique_ptr<Connection>>> Connection::open(const MilterSpec& spec) {
  const auto deadline = std::chrono::steady_clock::now() + spec.connect_timeout;
  auto outcome = co_await (open_and_negotiate(spec) || io::watchdog(deadline));
  if (outcome.index() == 1) co_return Error{"connect or negotiation timeout"};
  co_return std::move(std::get<0>(outcome));
}

asio::awaitable<Status> Connection::send(char command, std::string data,
                                         std::chrono::milliseconds timeout) {
  const std::string packet = encode(command, data);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  std::error_code ec;
  auto outcome = co_await (asio::async_write(socket_, asio::buffer(packet),
                                             asio::redirect_error(asio::use_awaitable, ec)) ||
                           io::watchdog(deadline));
  if (outcome.index() == 1) co_return Error{"write timeout"};
  if (ec) co_return Error{"write: " + ec.message()};
  co_return Status{};
}

asio::awaitable<Result<Packet>> Connection::read_once() {
  for (;;) {
    auto next = reader_.next();
    if (!next) co_return next.error();
    if (*next) co_return std::move(**next);
    char buffer[8192];
    std::error_code ec;
    size_t n = co_await socket_.async_read_some(asio::buffer(buffer),
                                                asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Error{ec == asio::error::eof ? "lost connection" : "read: " + ec.message()};
    reader_.feed(std::string_view(buffer, n));
  }
}

asio::awaitable<Result<Packet>> Connection::read(std::chrono::milliseconds timeout) {
  for (;;) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto outcome = co_await (read_once() || io::watchdog(deadline));
    if (outcome.index() == 1) co_return Error{"read timeout"};
    Result<Packet>& packet = std::get<0>(outcome);
    // SMFIR_PROGRESS: the milter is still working; the timeout starts again.
    if (packet && packet->command == rep::kProgress) continue;
    co_return std::move(packet);
  }
}

void Connection::close() {
  std::error_code ignored;  // closing a socket the peer may have closed already
  socket_.close(ignored);
}

}  // namespace correio::milter
