// Failed-login throttling per client address (see login_throttle.hpp).
#include "auth/login_throttle.hpp"

#include <algorithm>

namespace correio::auth {

bool LoginThrottle::blocked(std::string_view address, Clock::time_point now) {
  if (options_.limit <= 0 || (options_.exempt && options_.exempt(address))) return false;
  auto it = entries_.find(std::string(address));
  if (it == entries_.end()) return false;
  if (expired(it->second, now)) {
    entries_.erase(it);
    return false;
  }
  return it->second.failures >= options_.limit;
}

std::chrono::milliseconds LoginThrottle::record_failure(std::string_view address,
                                                        Clock::time_point now) {
  if (options_.observe) options_.observe(false);
  if (options_.exempt && options_.exempt(address)) return options_.delay;
  if (entries_.size() >= options_.max_tracked) prune(now);
  Entry& entry = entries_[std::string(address)];
  if (entry.failures > 0 && expired(entry, now)) entry.failures = 0;
  ++entry.failures;
  entry.last_failure = now;
  // delay * 2^(failures-1), capped; the shift is bounded so it cannot overflow.
  int doublings = std::min(entry.failures - 1, 20);
  auto delay = options_.delay * (1LL << doublings);
  return std::min<std::chrono::milliseconds>(delay, options_.max_delay);
}

std::string LoginThrottle::refusal_log(std::string_view user, std::string_view client,
                                       std::string_view address, Clock::time_point now) const {
  return refusal_text(user, client, failures(address, now));
}

std::string LoginThrottle::refusal_text(std::string_view user, std::string_view client,
                                        int failures) {
  std::string who = user.empty() ? std::string() : " for user " + std::string(user);
  return "login refused" + who + " from " + std::string(client) + ": address locked out after " +
         std::to_string(failures) + " failures";
}

void LoginThrottle::record_success(std::string_view address) {
  if (options_.observe) options_.observe(true);
  entries_.erase(std::string(address));
}

int LoginThrottle::failures(std::string_view address, Clock::time_point now) const {
  auto it = entries_.find(std::string(address));
  if (it == entries_.end() || expired(it->second, now)) return 0;
  return it->second.failures;
}

// Drops expired entries; when every entry is fresh (an address-spraying attack), drops the
// one with the oldest failure so that memory stays bounded. Blocking then becomes
// best-effort for the oldest attackers, never a reason to refuse everybody.
void LoginThrottle::prune(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) { return expired(item.second, now); });
  while (entries_.size() >= options_.max_tracked && !entries_.empty()) {
    auto oldest = std::min_element(
        entries_.begin(), entries_.end(),
        [](const auto& a, const auto& b) { return a.second.last_failure < b.second.last_failure; });
    entries_.erase(oldest);
  }
}

}  // namespace correio::auth
