// Concurrency feedback arithmetic (see concurrency_window.hpp).
#include "qmgr/concurrency_window.hpp"

#include <algorithm>
#include <charconv>
#include <string>

#include "base/strings.hpp"

namespace correio::qmgr {
namespace {

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool parse_number(std::string_view s, double& out) {
  s = trimmed(s);
  if (s.empty()) return false;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

Result<Feedback> parse_feedback(std::string_view text) {
  Feedback fb;
  size_t slash = text.find('/');
  if (!parse_number(text.substr(0, slash), fb.base))
    return Error{"\"" + std::string(text) + "\": expected a number, NUMBER/NUMBER or " +
                 "NUMBER/concurrency"};
  if (slash != std::string_view::npos) {
    std::string_view denominator = trimmed(text.substr(slash + 1));
    double d = 0;
    if (base::iequals(denominator, "concurrency")) {
      fb.per_concurrency = true;
    } else if (parse_number(denominator, d) && d > 0) {
      fb.base /= d;
    } else {
      return Error{"\"" + std::string(text) + "\": the denominator must be a positive number " +
                   "or \"concurrency\""};
    }
  }
  // postconf(5) default_destination_concurrency_positive_feedback: "in the range 0..1".
  if (!(fb.base >= 0 && fb.base <= 1))
    return Error{"\"" + std::string(text) + "\": feedback must lie between 0 and 1"};
  return fb;
}

ConcurrencyWindow::ConcurrencyWindow(const WindowSettings& settings)
    : settings_(settings),
      window_(settings.limit > 0 ? std::min(std::max(1, settings.initial), settings.limit)
                                 : std::max(1, settings.initial)) {}

void ConcurrencyWindow::revive() {
  window_ = settings_.limit > 0 ? std::min(std::max(1, settings_.initial), settings_.limit)
                                : std::max(1, settings_.initial);
  success_ = failure_ = failed_cohorts_ = 0;
}

// SCHEDULER_README: positive feedback raises the window by 1 at the end of a sequence of
// 1/feedback successes ("1/concurrency": one window's worth of successes). Half a step
// of tolerance absorbs the rounding of fractions such as 1/3.
void ConcurrencyWindow::success() {
  if (dead()) {
    revive();  // a delivery started before the site died got through
    return;
  }
  failed_cohorts_ = 0;
  if (settings_.limit > 0 && window_ >= settings_.limit) return;
  double fb = settings_.positive.value(window_);
  success_ += fb;
  while (fb > 0 && success_ + fb / 2 >= 1) {
    ++window_;
    success_ -= 1;
    failure_ = 0;
  }
  if (settings_.limit > 0) window_ = std::min(window_, settings_.limit);
}

// Negative feedback lowers the window by 1 at the beginning of a sequence of 1/feedback
// failures, never below 1. Each failure is 1/window of a cohort (the deliveries in flight
// together); failed_cohort_limit whole cohorts in a row declare the site dead (window 0).
void ConcurrencyWindow::failure() {
  if (dead()) return;
  const int cohort = window_;
  double fb = settings_.negative.value(window_);
  failure_ -= fb;
  while (fb > 0 && failure_ + fb / 2 < 0) {
    --window_;
    failure_ += 1;
    success_ = 0;
  }
  window_ = std::max(window_, 1);
  failed_cohorts_ += 1.0 / cohort;
  if (settings_.cohort_limit > 0 && failed_cohorts_ + 1e-9 >= settings_.cohort_limit) window_ = 0;
}

}  // namespace correio::qmgr
