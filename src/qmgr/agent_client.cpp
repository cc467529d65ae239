// Request/response exchanges with delivery agents over kept UNIX stream connections.
#include "qmgr/agent_client.hpp"

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/read.hpp>
#include <asio/redirect_error.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include "io/deadline.hpp"

namespace correio::qmgr {

using namespace asio::experimental::awaitable_operators;

namespace {

// Connects when `connect` is set, sends `request`, reads the reply up to its empty line.
// `received` counts reply bytes, so that the caller can tell a connection closed before
// the agent answered from one that broke mid-answer.
asio::awaitable<Result<std::string>> exchange(asio::local::stream_protocol::socket& socket,
                                              const std::filesystem::path& socket_path,
                                              bool connect, const std::string& request,
                                              size_t& received) {
  std::error_code ec;
  if (connect) {
    co_await socket.async_connect(asio::local::stream_protocol::endpoint(socket_path.string()),
                                  asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return Error{"connect to " + socket_path.string() + ": " + ec.message()};
  }
  co_await asio::async_write(socket, asio::buffer(request),
                             asio::redirect_error(asio::use_awaitable, ec));
  if (ec) co_return Error{"write to " + socket_path.string() + ": " + ec.message()};
  std::string reply;
  char buf[4096];
  for (;;) {
    size_t n = co_await socket.async_read_some(asio::buffer(buf),
                                               asio::redirect_error(asio::use_awaitable, ec));
    reply.append(buf, n);
    received += n;
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

AgentClient::AgentClient(std::chrono::seconds idle_limit, size_t max_idle_per_agent)
    : idle_limit_(idle_limit), max_idle_per_agent_(max_idle_per_agent) {}

std::optional<AgentClient::Socket> AgentClient::take(const std::string& socket_path) {
  auto it = idle_.find(socket_path);
  if (it == idle_.end()) return std::nullopt;
  auto& idle = it->second;
  // Oldest first: drop those kept too long, then reuse the most recently used one.
  auto oldest_kept = std::chrono::steady_clock::now() - idle_limit_;
  size_t stale = 0;
  while (stale < idle.size() && idle[stale].since < oldest_kept) ++stale;
  idle.erase(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(stale));
  if (idle.empty()) return std::nullopt;
  Socket socket = std::move(idle.back().socket);
  idle.pop_back();
  return socket;
}

void AgentClient::give_back(const std::string& socket_path, Socket socket) {
  auto& idle = idle_[socket_path];
  if (idle.size() >= max_idle_per_agent_) return;  // closed by the destructor
  idle.push_back(Idle{std::move(socket), std::chrono::steady_clock::now()});
}

size_t AgentClient::idle_count(const std::filesystem::path& socket_path) const {
  auto it = idle_.find(socket_path.string());
  return it == idle_.end() ? 0 : it->second.size();
}

asio::awaitable<Result<std::vector<delivery::RecipientResult>>> AgentClient::call(
    const std::filesystem::path& socket_path, const delivery::DeliveryRequest& request,
    std::chrono::seconds timeout) {
  const std::string key = socket_path.string();
  const std::string text = delivery::encode_request(request) + "\n";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto executor = co_await asio::this_coro::executor;  // not inside ?: (g++ 12 miscompiles)
  for (;;) {
    auto kept = take(key);
    const bool reused = kept.has_value();
    Socket socket = reused ? std::move(*kept) : Socket(executor);
    size_t received = 0;
    auto outcome =
        co_await (exchange(socket, socket_path, !reused, text, received) || io::watchdog(deadline));
    if (outcome.index() == 1) co_return Error{"timeout talking to " + key};
    auto& reply = std::get<0>(outcome);
    // A kept connection that fails before any answer was closed by the agent while idle
    // (or the agent died with the request, which Postfix would retry too): go again on
    // another connection. Only reused connections retry, so this ends.
    if (!reply && reused && received == 0) continue;
    if (!reply) co_return reply.error();
    auto results = delivery::decode_results(*reply);
    if (results) give_back(key, std::move(socket));
    co_return results;
  }
}

}  // namespace correio::qmgr
