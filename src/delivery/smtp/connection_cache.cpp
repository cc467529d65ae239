// Keeping SMTP sessions between requests (see connection_cache.hpp).
#include "delivery/smtp/connection_cache.hpp"

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
  auto session = std::move(it->second.session);
  entries_.erase(it);
  return session;
}

void ConnectionCache::put(const std::string& nexthop, std::unique_ptr<CachedSession> session) {
  if (time_limit_.count() <= 0 || entries_.count(nexthop)) {
    close(executor_, std::move(session));
    return;
  }
  uint64_t generation = ++generation_;
  entries_[nexthop] = Entry{std::move(session), generation};
  // When the time limit passes and this very session is still kept, close it.
  asio::co_spawn(
      executor_,
      [this, nexthop, generation]() -> asio::awaitable<void> {
        asio::steady_timer timer(executor_, time_limit_);
        std::error_code ec;
        co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        auto it = entries_.find(nexthop);
        if (it == entries_.end() || it->second.generation != generation) co_return;
        auto expired = std::move(it->second.session);
        entries_.erase(it);
        close(executor_, std::move(expired));
      },
      asio::detached);
}

}  // namespace correio::delivery::smtp_agent
