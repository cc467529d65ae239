// The login process's TLS proxy (see tls_proxy.hpp).
#include "login/tls_proxy.hpp"

#include <array>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

namespace correio::login {
namespace {

using namespace asio::experimental::awaitable_operators;
using Tls = asio::ssl::stream<io::Connection::Socket&>;

// One TLS record's worth of plaintext each way.
constexpr size_t kChunk = 16 * 1024;

asio::awaitable<void> client_to_inner(Tls& tls, asio::local::stream_protocol::socket& inner) {
  std::array<char, kChunk> buffer;
  while (true) {
    std::error_code ec;
    size_t n = co_await tls.async_read_some(asio::buffer(buffer),
                                            asio::redirect_error(asio::use_awaitable, ec));
    if (ec || n == 0) co_return;
    co_await asio::async_write(inner, asio::buffer(buffer.data(), n),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

asio::awaitable<void> inner_to_client(asio::local::stream_protocol::socket& inner, Tls& tls) {
  std::array<char, kChunk> buffer;
  while (true) {
    std::error_code ec;
    size_t n = co_await inner.async_read_some(asio::buffer(buffer),
                                              asio::redirect_error(asio::use_awaitable, ec));
    if (ec || n == 0) co_return;
    co_await asio::async_write(tls, asio::buffer(buffer.data(), n),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
  }
}

}  // namespace

asio::awaitable<void> proxy_tls(io::Connection& client,
                                asio::local::stream_protocol::socket inner) {
  Tls* tls = client.tls_stream();
  if (tls == nullptr) co_return;
  co_await (client_to_inner(*tls, inner) || inner_to_client(inner, *tls));
}

}  // namespace correio::login
