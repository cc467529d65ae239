// The gate of one destination (transport + nexthop): at most `window` deliveries at once,
// the window moving with Postfix's concurrency feedback (concurrency_window.hpp) up to the
// destination's limit; with a rate delay (default_destination_rate_delay, TRANSPORT_
// destination_rate_delay) one delivery at a time, each starting at least `rate_delay`
// after the one before. A dead destination admits nobody until its suspension ends
// (minimal_backoff_time, as Postfix's qmgr) or a flush revives it.
// For coroutines on one io_context; not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <string>

#include "qmgr/concurrency_window.hpp"

namespace correio::qmgr {

class DestinationLimit {
 public:
  enum class Outcome { none, reached, site_failed };

  // `suspension`: how long a dead destination stays dead.
  DestinationLimit(WindowSettings window, std::chrono::steady_clock::duration rate_delay,
                   std::chrono::steady_clock::duration suspension);
  ~DestinationLimit();
  DestinationLimit(const DestinationLimit&) = delete;
  DestinationLimit& operator=(const DestinationLimit&) = delete;

  // Waits for a slot. False when the destination is dead (now or while waiting): the
  // caller then defers without trying, and does not call release().
  asio::awaitable<bool> acquire();

  // Gives the slot back with what the delivery learnt about the site. `reason` is the
  // failure's text ("connect to x[1.2.3.4]:25: Connection refused"), kept for the
  // "delivery temporarily suspended: ..." of the mail deferred while the site is dead.
  // True when this failure declared the destination dead.
  bool release(Outcome outcome, const std::string& reason = {});

  // Ends a suspension now (postqueue -f, ETRN): the destination starts over at the
  // initial concurrency.
  void revive();

  int active() const { return active_; }
  int window() const { return window_.window(); }
  bool dead() const { return window_.dead(); }
  const std::string& dead_reason() const { return dead_reason_; }

 private:
  struct Waiter;
  void wake();  // passes free slots to waiters in order, or turns them all away when dead

  ConcurrencyWindow window_;
  std::chrono::steady_clock::duration rate_delay_, suspension_;
  std::chrono::steady_clock::time_point next_start_{}, dead_until_{};
  std::string dead_reason_;
  int active_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

}  // namespace correio::qmgr
