// A counting semaphore for one destination (transport + nexthop): at most `limit`
// deliveries at once (default_destination_concurrency_limit and its per-transport
// variants). For coroutines on one io_context; not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <deque>
#include <memory>

namespace correio::qmgr {

class DestinationLimit {
 public:
  explicit DestinationLimit(int limit) : limit_(limit < 1 ? 1 : limit) {}

  asio::awaitable<void> acquire() {
    if (active_ < limit_) {
      ++active_;
      co_return;
    }
    auto timer = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                      std::chrono::steady_clock::time_point::max());
    waiters_.push_back(timer);
    // release() cancels the timer: the slot passes to us without active_ changing.
    co_await timer->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
  }

  void release() {
    if (!waiters_.empty()) {
      auto next = waiters_.front();
      waiters_.pop_front();
      next->cancel();
      return;
    }
    --active_;
  }

  int active() const { return active_; }

 private:
  int limit_;
  int active_ = 0;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
};

}  // namespace correio::qmgr
