// A counting semaphore for one destination (transport + nexthop): at most `limit`
// deliveries at once (default_destination_concurrency_limit and its per-transport
// variants), and with a rate delay (default_destination_rate_delay, TRANSPORT_destination_
// rate_delay) one delivery at a time, each starting at least `rate_delay` after the one
// before. For coroutines on one io_context; not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>

namespace correio::qmgr {

class DestinationLimit {
 public:
  explicit DestinationLimit(
      int limit, std::chrono::steady_clock::duration rate_delay = std::chrono::seconds(0))
      : limit_(limit < 1 || rate_delay.count() > 0 ? 1 : limit), rate_delay_(rate_delay) {}

  asio::awaitable<void> acquire() {
    if (active_ < limit_) {
      ++active_;
    } else {
      auto timer = std::make_shared<asio::steady_timer>(
          co_await asio::this_coro::executor, std::chrono::steady_clock::time_point::max());
      waiters_.push_back(timer);
      // release() cancels the timer: the slot passes to us without active_ changing.
      co_await timer->async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }
    if (rate_delay_.count() <= 0) co_return;
    // postconf(5) default_destination_rate_delay: the pause between two deliveries to
    // the same destination. The limit is 1 here, so one holder waits at a time.
    auto now = std::chrono::steady_clock::now();
    if (next_start_ > now) {
      asio::steady_timer pause(co_await asio::this_coro::executor, next_start_);
      co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
      now = std::chrono::steady_clock::now();
    }
    next_start_ = now + rate_delay_;
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
  std::chrono::steady_clock::duration rate_delay_;
  std::chrono::steady_clock::time_point next_start_{};
  int active_ = 0;
  std::deque<std::shared_ptr<asio::steady_timer>> waiters_;
};

}  // namespace correio::qmgr
