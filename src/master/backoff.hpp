// Restart throttling for services whose processes die right after start (Postfix's
// "bad command startup -- throttling"): 1 s, doubling up to service_throttle_time.
#pragma once

#include <chrono>

namespace correio::master {

// A process that lived less than this is a bad startup; one that lived longer resets the
// backoff and is restarted at once.
inline constexpr std::chrono::seconds kBadStartupWindow{2};

// Delay before restart number `failures` (1 for the first failure): 1 s, 2 s, 4 s, ...
// capped at `max`. `failures` <= 0 means no delay.
std::chrono::seconds throttle_delay(int failures, std::chrono::seconds max);

class Backoff {
 public:
  explicit Backoff(std::chrono::seconds max) : max_(max) {}
  // Counts one more failure and returns how long to wait before the next start.
  std::chrono::seconds next() { return throttle_delay(++failures_, max_); }
  void reset() { failures_ = 0; }
  int failures() const { return failures_; }

 private:
  std::chrono::seconds max_;
  int failures_ = 0;
};

}  // namespace correio::master
