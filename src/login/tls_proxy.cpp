// The login process's TLS proxy (see tls_proxy.hpp).
#include "login/tls_proxy.hpp"

#include <array>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <string_view>

namespace correio::login {
namespace {

using namespace asio::experimental::awaitable_operators;
using Tls = asio::ssl::stream<io::Connection::Socket&>;

// One TLS record's worth of plaintext each way.
constexpr size_t kChunk = 16 * 1024;

asio::awaitable<void> client_to_inner(Tls& tls, asio::local::stream_protocol::socket& inner) {
  std::array<char, kChunk> buffer;
  std::error_code ec;
  while (true) {
    size_t n = co_await tls.async_read_some(asio::buffer(buffer),
                                            asio::redirect_error(asio::use_awaitable, ec));
    if (ec || n == 0) break;
    co_await asio::async_write(inner, asio::buffer(buffer.data(), n),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
  // The client has nothing more to say (it may have half-closed after pipelining its
  // last commands): the post-login side reads the end of input after them and closes
  // when it has answered, which ends inner_to_client. Until then its replies still go out.
  inner.shutdown(asio::socket_base::shutdown_send, ec);
  asio::steady_timer forever(inner.get_executor(), asio::steady_timer::time_point::max());
  co_await forever.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

asio::awaitable<void> inner_to_client(asio::local::stream_protocol::socket& inner,
                                      io::Connection& client) {
  std::array<char, kChunk> buffer;
  while (true) {
    std::error_code ec;
    size_t n = co_await inner.async_read_some(asio::buffer(buffer),
                                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec || n == 0) co_return;
    // Through the connection, for its write deadline: a client that stops reading does
    // not hold the proxy (and its session) forever.
    if (!co_await client.write(std::string_view(buffer.data(), n))) co_return;
  }
}

}  // namespace

asio::awaitable<void> proxy_tls(io::Connection& client,
                                asio::local::stream_protocol::socket inner) {
  Tls* tls = client.tls_stream();
  if (tls == nullptr) co_return;
  co_await (client_to_inner(*tls, inner) || inner_to_client(inner, client));
}

}  // namespace correio::login
