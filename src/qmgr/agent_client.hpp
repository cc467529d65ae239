// qmgr's side of the delivery protocol (delivery/protocol.hpp): sends a request to a
// delivery agent's UNIX socket (queue_directory/private/TRANSPORT) and reads the
// per-recipient results, within a deadline. Connections are kept open between requests,
// one request at a time on each, so a message costs no socket set-up and tear-down in
// either process.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/local/stream_protocol.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "delivery/protocol.hpp"

namespace correio::qmgr {

class AgentClient {
 public:
  // Connections idle longer than `idle_limit` are closed rather than reused; agents wait
  // far longer (their request timeout) before giving up on an idle connection.
  explicit AgentClient(std::chrono::seconds idle_limit = std::chrono::seconds(10),
                       size_t max_idle_per_agent = 64);

  // An error means the agent could not be reached or answered badly: every recipient of
  // the request is then deferred ("mail transport unavailable"), as Postfix does.
  // A kept connection the agent has since closed (it restarted, or timed out) is noticed
  // before any reply byte arrives, and the request goes again on a new connection.
  asio::awaitable<Result<std::vector<delivery::RecipientResult>>> call(
      const std::filesystem::path& socket_path, const delivery::DeliveryRequest& request,
      std::chrono::seconds timeout);

  // Idle connections currently kept for `socket_path` (for tests).
  size_t idle_count(const std::filesystem::path& socket_path) const;

 private:
  using Socket = asio::local::stream_protocol::socket;
  struct Idle {
    Socket socket;
    std::chrono::steady_clock::time_point since;
  };

  std::optional<Socket> take(const std::string& socket_path);
  void give_back(const std::string& socket_path, Socket socket);

  std::chrono::seconds idle_limit_;
  size_t max_idle_per_agent_;
  std::map<std::string, std::vector<Idle>, std::less<>> idle_;
};

}  // namespace correio::qmgr
