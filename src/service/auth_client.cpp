// The auth service's client (see auth_client.hpp).
#include "service/auth_client.hpp"

#include <unistd.h>

#include <asio/local/stream_protocol.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include "auth/auth_master_protocol.hpp"

namespace correio::service {

namespace protocol = auth::protocol;

AuthClient::AuthClient(asio::local::stream_protocol::socket socket, std::string name)
    : conn_(std::move(socket)), name_(std::move(name)) {}

asio::awaitable<Result<std::unique_ptr<AuthClient>>> AuthClient::connect(
    const asio::any_io_executor& executor, const std::filesystem::path& socket,
    std::chrono::steady_clock::duration timeout) {
  asio::local::stream_protocol::socket s(executor);
  std::error_code ec;
  asio::local::stream_protocol::endpoint endpoint(socket.string());
  co_await s.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{socket.string() + ": connect: " + ec.message()};
  auto client = std::make_unique<AuthClient>(std::move(s), socket.string());
  client->conn_.set_timeout(kGreetingTimeout);
  std::string hello = protocol::format_client_handshake(static_cast<unsigned long>(::getpid()));
  if (!co_await client->conn_.write(hello)) co_return Error{socket.string() + ": write failed"};
  // The greeting: VERSION ... DONE. The mechanisms are the daemon's own to offer.
  while (true) {
    io::LineResult input = co_await client->conn_.read_line(protocol::kMaxLine);
    if (input.status != io::ReadStatus::ok)
      co_return Error{socket.string() + ": no greeting from the auth service"};
    std::string_view line = input.line;
    line.remove_suffix(1);
    auto parsed = protocol::parse_server_line(line);
    if (!parsed) co_return Error{socket.string() + ": " + parsed.error().message};
    if (auto* version = std::get_if<protocol::Version>(&*parsed);
        version && version->major != protocol::kMajorVersion)
      co_return Error{socket.string() + ": auth protocol version " +
                      std::to_string(version->major) + " is not 1"};
    if (auto* cookie = std::get_if<protocol::Cookie>(&*parsed)) client->cookie_ = cookie->hex;
    if (std::holds_alternative<protocol::HandshakeDone>(*parsed)) break;
  }
  client->conn_.set_timeout(timeout);
  co_return std::move(client);
}

asio::awaitable<Result<AuthClient::Reply>> AuthClient::start(const protocol::AuthStart& request) {
  protocol::AuthStart numbered = request;
  id_ = request.id != 0 ? request.id : id_ + 1;
  numbered.id = id_;
  std::string text = protocol::format_auth(numbered);
  if (!co_await conn_.write(text)) co_return Error{name_ + ": write failed"};
  co_return co_await read_reply();
}

asio::awaitable<Result<AuthClient::Reply>> AuthClient::respond(std::string_view response) {
  std::string text = protocol::format_continue(id_, response);
  if (!co_await conn_.write(text)) co_return Error{name_ + ": write failed"};
  co_return co_await read_reply();
}

asio::awaitable<Result<AuthClient::Reply>> AuthClient::read_reply() {
  while (true) {
    io::LineResult input = co_await conn_.read_line(protocol::kMaxLine);
    if (input.status == io::ReadStatus::timeout) co_return Error{name_ + ": timeout"};
    if (input.status != io::ReadStatus::ok)
      co_return Error{name_ + ": the auth service closed the connection"};
    std::string_view line = input.line;
    line.remove_suffix(1);
    auto parsed = protocol::parse_server_line(line);
    if (!parsed) co_return Error{name_ + ": " + parsed.error().message};
    if (auto* c = std::get_if<protocol::Challenge>(&*parsed); c && c->id == id_)
      co_return Reply{std::move(*c)};
    if (auto* s = std::get_if<protocol::Success>(&*parsed); s && s->id == id_)
      co_return Reply{std::move(*s)};
    if (auto* f = std::get_if<protocol::Failure>(&*parsed); f && f->id == id_)
      co_return Reply{std::move(*f)};
    // Anything else (a late line of a later protocol version) is not for us.
  }
}

asio::awaitable<Result<std::optional<std::string>>> AuthClient::request_login(
    unsigned long login_pid, unsigned long auth_id, std::string cookie) {
  protocol::MasterRequest request{++id_, login_pid, auth_id, std::move(cookie)};
  std::string text = protocol::format_master_request(request);
  if (!co_await conn_.write(text)) co_return Error{name_ + ": write failed"};
  io::LineResult input = co_await conn_.read_line(protocol::kMaxLine);
  if (input.status == io::ReadStatus::timeout) co_return Error{name_ + ": timeout"};
  if (input.status != io::ReadStatus::ok)
    co_return Error{name_ + ": the auth service closed the connection"};
  std::string_view line = input.line;
  line.remove_suffix(1);
  auto reply = protocol::parse_master_reply(line);
  if (!reply) co_return Error{name_ + ": " + reply.error().message};
  if (auto* user = std::get_if<protocol::MasterUser>(&*reply); user && user->id == request.id)
    co_return std::optional<std::string>(std::move(user->user));
  if (auto* failure = std::get_if<protocol::MasterFailure>(&*reply))
    co_return Error{name_ + ": " + failure->reason};
  co_return std::optional<std::string>();
}

std::filesystem::path auth_socket_path(std::string_view queue_directory, std::string_view path) {
  std::filesystem::path p(path);
  if (p.is_absolute()) return p;
  return std::filesystem::path(queue_directory) / p;
}

}  // namespace correio::service
