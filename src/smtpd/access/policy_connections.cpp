// Policy server connections kept for reuse (see the header).
#include "smtpd/access/policy_connections.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

namespace correio::smtpd::access {
namespace {

using Clock = std::chrono::steady_clock;

// Whether the server closed its end (or the socket broke) while the connection was
// idle: a peek that returns 0 bytes, or an error other than "nothing to read yet".
bool peer_closed(PolicyConnection& c) {
  char byte;
  ssize_t n = ::recv(c.socket.native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  if (n == 0) return true;
  // Unsolicited bytes from the server would be read as the next reply: not reusable.
  if (n > 0) return true;
  return errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR;
}

}  // namespace

asio::execution_context::id PolicyConnections::id;

PolicyConnections::PolicyConnections(asio::execution_context& context)
    : asio::execution_context::service(context) {}

std::unique_ptr<PolicyConnection> PolicyConnections::take(const std::string& target,
                                                          const PolicyLimits& limits) {
  auto it = idle_.find(target);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const auto now = Clock::now();
  // Most recently used first: the others may idle out.
  while (!list.empty()) {
    std::unique_ptr<PolicyConnection> c = std::move(list.back());
    list.pop_back();
    if (now - c->idle_since >= limits.max_idle || now - c->opened >= limits.max_ttl ||
        peer_closed(*c))
      continue;  // closed as it goes
    return c;
  }
  return nullptr;
}

void PolicyConnections::give_back(const std::string& target,
                                  std::unique_ptr<PolicyConnection> connection,
                                  const PolicyLimits& limits) {
  const auto now = Clock::now();
  ++connection->requests;
  // postconf(5): max_ttl "after which an active connection is closed"; request_limit
  // "the maximal number of requests per connection".
  if (now - connection->opened >= limits.max_ttl ||
      (limits.request_limit > 0 && connection->requests >= limits.request_limit))
    return;
  connection->idle_since = now;
  limits_ = limits;
  if (!sweeper_) sweeper_.emplace(connection->socket.get_executor());
  idle_[target].push_back(std::move(connection));
  arm_sweeper();
}

size_t PolicyConnections::idle_count(const std::string& target) const {
  auto it = idle_.find(target);
  return it == idle_.end() ? 0 : it->second.size();
}

Clock::time_point PolicyConnections::deadline(const PolicyConnection& c) const {
  return std::min(c.idle_since + limits_.max_idle, c.opened + limits_.max_ttl);
}

void PolicyConnections::sweep() {
  const auto now = Clock::now();
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& list = it->second;
    std::erase_if(list, [&](const auto& c) { return deadline(*c) <= now; });
    it = list.empty() ? idle_.erase(it) : std::next(it);
  }
}

void PolicyConnections::arm_sweeper() {
  // The earliest moment an idle connection reaches max_idle or max_ttl.
  std::optional<Clock::time_point> earliest;
  for (const auto& [target, list] : idle_)
    for (const auto& c : list)
      if (!earliest || deadline(*c) < *earliest) earliest = deadline(*c);
  if (!earliest || (sweeper_armed_ && sweeper_->expiry() <= *earliest)) return;
  // Setting the expiry cancels an earlier wait, whose handler then does nothing.
  sweeper_->expires_at(*earliest);
  sweeper_armed_ = true;
  sweeper_->async_wait([this](const std::error_code& ec) {
    if (ec) return;  // replaced by a sooner wait, or shutdown
    sweeper_armed_ = false;
    sweep();
    arm_sweeper();
  });
}

void PolicyConnections::shutdown() {
  // Before the reactor goes: the sockets and the timer must not outlive it.
  idle_.clear();
  sweeper_.reset();
  sweeper_armed_ = false;
}

}  // namespace correio::smtpd::access
