// Postfix's concurrency feedback (qmgr(8), SCHEDULER_README "Concurrency scheduling"):
// the number of parallel deliveries a destination may have, which starts at
// initial_destination_concurrency, grows with deliveries that reached the site, shrinks
// with connection or handshake failures, and drops to 0 ("dead") after
// failed_cohort_limit cohorts in a row failed. Pure arithmetic, no I/O; not thread-safe.
#pragma once

#include <string_view>

#include "base/result.hpp"

namespace correio::qmgr {

// One feedback setting: a fixed amount ("1", "0.5", "1/8") or one scaled by the current
// window ("1/concurrency"). postconf(5): values lie in 0..1.
struct Feedback {
  double base = 1;
  bool per_concurrency = false;

  double value(int window) const { return per_concurrency ? base / window : base; }
};

// Parses "NUMBER", "NUMBER/NUMBER" or "NUMBER/concurrency" (spaces allowed around '/').
// Errors say what is wrong; Postfix warns and uses 1, qmgr's configuration check refuses.
Result<Feedback> parse_feedback(std::string_view text);

struct WindowSettings {
  int initial = 5;       // initial_destination_concurrency
  int limit = 20;        // TRANSPORT_destination_concurrency_limit (0: no limit)
  int cohort_limit = 1;  // TRANSPORT_destination_concurrency_failed_cohort_limit (0: never dead)
  Feedback positive{}, negative{};
};

class ConcurrencyWindow {
 public:
  explicit ConcurrencyWindow(const WindowSettings& settings);

  // A delivery reached the site (whatever the recipients' fate): positive feedback.
  void success();
  // A connection or handshake failure: negative feedback; may declare the site dead.
  void failure();
  // A dead site gets another chance at the initial concurrency (after the suspension, or
  // on a flush).
  void revive();

  int window() const { return window_; }
  bool dead() const { return window_ == 0; }

 private:
  WindowSettings settings_;
  int window_;
  double success_ = 0, failure_ = 0, failed_cohorts_ = 0;
};

}  // namespace correio::qmgr
