// Keeping SMTP sessions between requests (see connection_cache.hpp).
#include "delivery/smtp/connection_cache.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

namespace correio::delivery::smtp_agent {
namespace {

// Ends a session politely in a coroutine of its own. The session travels as a lambda
// capture (kept alive by co_spawn), not as a coroutine parameter.
void close(const asio::any_io_executor& executor, std::unique_ptr<CachedSession> session) {
  std::shared_ptr<CachedSession> owned(std::move(session));
  asio::co_spawn(
      executor, [owned]() -> asio::awaitable<void> { co_await owned->client->quit(); },
      asio::detached);
}

}  // namespace

std::unique_ptr<CachedSession> ConnectionCache::take(const std::string& nexthop) {
  auto it = entries_.find(nexthop);
  if (it == entries_.end()) return nullptr;
  auto session = std::move(it->second.back().session);
  it->second.pop_back();
  if (it->second.empty()) entries_.erase(it);
  ++session->reuses;
  return session;
}

void ConnectionCache::put(const std::string& nexthop, std::unique_ptr<CachedSession> session) {
  bool worn = (reuse_.count > 0 && session->reuses >= reuse_.count) ||
              std::chrono::steady_clock::now() - session->opened >= reuse_.time;
  if (time_limit_.count() <= 0 || worn) {
    close(executor_, std::move(session));
    return;
  }
  auto& kept = entries_[nexthop];
  if (kept.size() >= std::max<size_t>(1, per_nexthop_)) {
    close(executor_, std::move(session));
    return;
  }
  kept.push_back(Entry{std::move(session), std::chrono::steady_clock::now() + time_limit_});
  if (!expiring_) {
    expiring_ = true;
    asio::co_spawn(executor_, expire(), asio::detached);
  }
}

size_t ConnectionCache::kept(const std::string& nexthop) const {
  auto it = entries_.find(nexthop);
  return it == entries_.end() ? 0 : it->second.size();
}

asio::awaitable<void> ConnectionCache::expire() {
  asio::steady_timer timer(executor_);
  while (!entries_.empty()) {
    // Each nexthop's oldest session is at its front: the earliest of those is next.
    auto next = std::chrono::steady_clock::time_point::max();
    for (const auto& [nexthop, kept] : entries_) next = std::min(next, kept.front().expires);
    timer.expires_at(next);
    std::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    auto now = std::chrono::steady_clock::now();
    for (auto it = entries_.begin(); it != entries_.end();) {
      auto& kept = it->second;
      while (!kept.empty() && kept.front().expires <= now) {
        close(executor_, std::move(kept.front().session));
        kept.pop_front();
      }
      it = kept.empty() ? entries_.erase(it) : std::next(it);
    }
  }
  expiring_ = false;
}

}  // namespace correio::delivery::smtp_agent
