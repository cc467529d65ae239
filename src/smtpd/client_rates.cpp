// Per-client event rates in anvil(8)'s windows (see the header).
#include "smtpd/client_rates.hpp"

#include <algorithm>
#include <climits>
#include <utility>

namespace correio::smtpd {

int ClientRates::record(ClientEvent event, std::string_view address, Clock::time_point now) {
  std::string key(address);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    if (entries_.size() >= max_tracked_) prune(now);
    it = entries_.emplace(std::move(key), Entry{now, {}}).first;
  } else if (expired(it->second, now)) {
    it->second = Entry{now, {}};  // anvil.c ANVIL_REMOTE_RSET_RATE: a new window
  }
  int& count = it->second.counts[static_cast<size_t>(event)];
  if (count < INT_MAX) ++count;
  Peak& peak = peaks_[static_cast<size_t>(event)];
  if (count > peak.rate) peak = Peak{count, it->first, now};
  return count;
}

int ClientRates::rate(ClientEvent event, std::string_view address, Clock::time_point now) const {
  auto it = entries_.find(std::string(address));
  if (it == entries_.end() || expired(it->second, now)) return 0;
  return it->second.counts[static_cast<size_t>(event)];
}

std::array<ClientRates::Peak, kClientEventCount> ClientRates::take_peaks() {
  auto out = peaks_;
  peaks_ = {};
  return out;
}

// Drops ended windows; when every window is still open, drops the oldest tenth so that
// memory stays bounded at an amortised cost (those clients start counting afresh: best
// effort, never a refusal).
void ClientRates::prune(Clock::time_point now) {
  std::erase_if(entries_, [&](const auto& item) { return expired(item.second, now); });
  if (entries_.size() < max_tracked_) return;
  std::vector<std::pair<Clock::time_point, std::string>> by_age;
  by_age.reserve(entries_.size());
  for (const auto& [address, entry] : entries_) by_age.emplace_back(entry.start, address);
  size_t drop = std::max<size_t>(1, by_age.size() / 10);
  std::nth_element(by_age.begin(), by_age.begin() + static_cast<std::ptrdiff_t>(drop - 1),
                   by_age.end());
  for (size_t i = 0; i < drop; ++i) entries_.erase(by_age[i].second);
}

}  // namespace correio::smtpd
