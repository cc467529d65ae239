// A destination's concurrency gate with feedback and dead-site suspension (see
// destination_limit.hpp).
#include "qmgr/destination_limit.hpp"

#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

namespace correio::qmgr {

struct DestinationLimit::Waiter {
  explicit Waiter(const asio::any_io_executor& executor)
      : timer(executor, std::chrono::steady_clock::time_point::max()) {}
  asio::steady_timer timer;
  bool granted = false;  // wake() passed a slot on (active_ already counts it)
};

DestinationLimit::DestinationLimit(WindowSettings window,
                                   std::chrono::steady_clock::duration rate_delay,
                                   std::chrono::steady_clock::duration suspension)
    : window_([&] {
        // Postfix: with a rate delay the concurrency is 1 (and may still drop to 0).
        if (rate_delay.count() > 0 || window.limit < 1) window.limit = 1;
        return window;
      }()),
      rate_delay_(rate_delay),
      suspension_(suspension) {}

DestinationLimit::~DestinationLimit() = default;

asio::awaitable<bool> DestinationLimit::acquire() {
  if (dead() && std::chrono::steady_clock::now() >= dead_until_) revive();
  if (dead()) co_return false;
  if (waiters_.empty() && active_ < window()) {
    ++active_;
  } else {
    auto executor = co_await asio::this_coro::executor;
    auto waiter = std::make_shared<Waiter>(executor);
    waiters_.push_back(waiter);
    // wake() cancels the timer, with or without a slot for us.
    co_await waiter->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    if (!waiter->granted) co_return false;
  }
  if (rate_delay_.count() <= 0) co_return true;
  // postconf(5) default_destination_rate_delay: the pause between two deliveries to
  // the same destination. The limit is 1 here, so one holder waits at a time.
  auto now = std::chrono::steady_clock::now();
  if (next_start_ > now) {
    asio::steady_timer pause(co_await asio::this_coro::executor, next_start_);
    co_await pause.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    now = std::chrono::steady_clock::now();
  }
  next_start_ = now + rate_delay_;
  co_return true;
}

bool DestinationLimit::release(Outcome outcome, const std::string& reason) {
  --active_;
  bool was_dead = dead();
  if (outcome == Outcome::reached) window_.success();
  if (outcome == Outcome::site_failed) {
    window_.failure();
    dead_reason_ = reason;
  }
  bool died = !was_dead && dead();
  // Postfix's qmgr suspends a dead queue for minimal_backoff_time, then tries again.
  if (died) dead_until_ = std::chrono::steady_clock::now() + suspension_;
  wake();
  return died;
}

void DestinationLimit::revive() {
  if (!dead()) return;
  window_.revive();
  wake();
}

void DestinationLimit::wake() {
  while (!waiters_.empty() && (dead() || active_ < window())) {
    auto next = waiters_.front();
    waiters_.pop_front();
    if (!dead()) {
      ++active_;
      next->granted = true;
    }
    next->timer.cancel();
  }
}

}  // namespace correio::qmgr
