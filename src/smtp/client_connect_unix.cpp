// The SMTP/LMTP client's connection to a UNIX-domain server (Postfix's lmtp(8)
// "unix:/path", Dovecot's or Cyrus's LMTP socket), with the same deadline and error
// wording as the TCP connect in client_session.cpp.
#include <fmt/format.h>

#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>

#include "io/deadline.hpp"
#include "smtp/client_session.hpp"

namespace correio::smtp {

asio::awaitable<Result<asio::local::stream_protocol::socket>> connect_unix(
    asio::any_io_executor executor, const std::string& path, std::chrono::seconds timeout,
    const std::string& label) {
  using namespace asio::experimental::awaitable_operators;
  auto fail = [&](std::string_view why) {
    return Error{fmt::format("connect to {}: {}", label, why)};
  };
  // sockaddr_un holds at most 107 bytes of path; asio would throw for a longer one.
  if (path.empty() || path.size() > 107) co_return fail("bad socket path");
  asio::local::stream_protocol::socket socket(executor);
  asio::local::stream_protocol::endpoint endpoint(path);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto done =
      co_await (socket.async_connect(endpoint, asio::experimental::as_tuple(asio::use_awaitable)) ||
                io::watchdog(deadline));
  if (done.index() == 1) co_return fail("Connection timed out");
  if (auto [ec] = std::get<0>(done); ec) co_return fail(ec.message());
  co_return std::move(socket);
}

}  // namespace correio::smtp
