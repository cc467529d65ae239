// Both ends of a hand-off (see hand_off.hpp).
#include "login/hand_off.hpp"

#include <sys/socket.h>

#include <asio/ip/tcp.hpp>

#include "login/handoff_channel.hpp"
#include "login/tls_proxy.hpp"
#include "service/auth_client.hpp"

namespace correio::login {
namespace {

// The client's descriptor as a Connection: TCP (whose addresses the kernel gives), or
// the login's proxy socketpair (addresses from the hand-off).
Result<std::unique_ptr<io::Connection>> adopt(const asio::any_io_executor& executor, base::Fd fd,
                                              const Handoff& h) {
  sockaddr_storage addr{};
  socklen_t length = sizeof addr;
  if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&addr), &length) < 0)
    return base::errno_error("getsockname", errno);
  std::error_code ec;
  if (addr.ss_family == AF_UNIX) {
    if (!h.tls) return Error{"a UNIX-domain descriptor for a connection without TLS"};
    asio::local::stream_protocol::socket s(executor);
    s.assign(asio::local::stream_protocol(), fd.get(), ec);
    if (ec) return Error{"assign: " + ec.message()};
    fd.release();
    auto conn = std::make_unique<io::Connection>(std::move(s));
    conn->set_addresses(h.remote_address, h.remote_port, h.local_address, h.local_port);
    return conn;
  }
  if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6)
    return Error{"the descriptor is no TCP connection"};
  if (h.tls) return Error{"a TCP descriptor for a TLS connection"};
  asio::ip::tcp::socket s(executor);
  s.assign(addr.ss_family == AF_INET6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4(), fd.get(), ec);
  if (ec) return Error{"assign: " + ec.message()};
  fd.release();
  return std::make_unique<io::Connection>(std::move(s));
}

}  // namespace

asio::awaitable<Status> hand_off(io::Connection& client, const std::filesystem::path& socket,
                                 Handoff handoff, const std::function<void()>& taken) {
  handoff.remote_address = client.remote_address();
  handoff.remote_port = client.remote_port();
  handoff.local_address = client.local_address();
  handoff.local_port = client.local_port();
  handoff.tls = client.tls_active();
  handoff.pipelined = client.take_buffered_input();
  auto executor = client.socket().get_executor();
  if (!handoff.tls) {
    Status sent = co_await send_handoff(executor, socket, handoff, client.socket().native_handle());
    if (!sent)
      client.preload_input(handoff.pipelined);
    else
      taken();
    co_return sent;
  }
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0) {
    client.preload_input(handoff.pipelined);
    co_return base::errno_error("socketpair", errno);
  }
  base::Fd ours(pair[0]), theirs(pair[1]);
  Status sent = co_await send_handoff(executor, socket, handoff, theirs.get());
  theirs.reset();  // the post-login side has its copy, or none
  if (!sent) {
    client.preload_input(handoff.pipelined);
    co_return sent;
  }
  taken();
  asio::local::stream_protocol::socket inner(executor);
  std::error_code ec;
  inner.assign(asio::local::stream_protocol(), ours.get(), ec);
  if (ec) co_return Status{};  // taken over; without the proxy the session just ends
  ours.release();
  co_await proxy_tls(client, std::move(inner));
  co_return Status{};
}

asio::awaitable<std::optional<Accepted>> accept_hand_off(
    asio::local::stream_protocol::socket socket, const std::filesystem::path& auth_socket,
    base::Logger& log) {
  auto received = co_await receive_handoff(socket);
  if (!received) {
    log.warning("hand-off refused: {}", received.error().message);
    co_await answer_handoff(socket, received.error().message);
    co_return std::nullopt;
  }
  // Who logged in is the auth service's word, for the login of the process that is
  // really on the other end (SO_PEERCRED), once.
  auto executor = socket.get_executor();
  auto auth = co_await service::AuthClient::connect(executor, auth_socket, kHandoffTimeout);
  std::optional<std::string> user;
  std::string why;
  if (!auth) {
    why = auth.error().message;
  } else {
    auto answer = co_await (*auth)->request_login(received->sender_pid, received->handoff.auth_id,
                                                  received->handoff.cookie);
    if (!answer)
      why = answer.error().message;
    else if (!*answer)
      why = "no such approved login";
    else
      user = std::move(**answer);
  }
  if (!user) {
    log.warning("hand-off from pid {} refused: user=<{}>, rip={}: {}", received->sender_pid,
                received->handoff.user, received->handoff.remote_address, why);
    co_await answer_handoff(socket, why);
    co_return std::nullopt;
  }
  auto conn = adopt(executor, std::move(received->client), received->handoff);
  if (!conn) {
    log.warning("hand-off from pid {} refused: {}", received->sender_pid, conn.error().message);
    co_await answer_handoff(socket, conn.error().message);
    co_return std::nullopt;
  }
  co_await answer_handoff(socket, "");
  (*conn)->preload_input(received->handoff.pipelined);
  co_return Accepted{std::move(*conn), std::move(*user), std::move(received->handoff)};
}

}  // namespace correio::login
