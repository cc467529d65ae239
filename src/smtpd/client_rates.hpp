// Per-client event rates for smtpd's anvil(8) limits: connections, MAIL, RCPT, new TLS
// sessions and AUTH commands per client address within anvil_rate_time_unit, counted as
// Postfix's anvil server counts them (one window per address, opened by its first event).
// Pure counters: the caller passes the time, so tests need no sleeps. Owned by smtpd's
// start-up state; used only on the daemon's one event-loop thread; not thread-safe.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace correio::smtpd {

enum class ClientEvent { connection, message, recipient, new_tls, auth };
inline constexpr size_t kClientEventCount = 5;

class ClientRates {
 public:
  using Clock = std::chrono::steady_clock;

  // `time_unit`: anvil_rate_time_unit. `max_tracked`: addresses remembered at most (an
  // address-spraying client cannot exhaust memory; the oldest windows are dropped first).
  explicit ClientRates(std::chrono::milliseconds time_unit, size_t max_tracked = 100000)
      : time_unit_(time_unit), max_tracked_(max_tracked) {}

  // Counts one event from `address` and returns the events of that kind in the address's
  // current window, this one included. anvil.c: all rates of an address share one window,
  // which restarts at the first event after time_unit has passed; refused events count
  // too, so a client that keeps hammering stays refused until its window ends.
  int record(ClientEvent event, std::string_view address, Clock::time_point now);

  // The events of that kind in the address's current window (0 when it has ended).
  int rate(ClientEvent event, std::string_view address, Clock::time_point now) const;

  // The highest rate seen since the last call, per event kind, for the statistics lines
  // (anvil_status_update_time); the call starts a new period.
  struct Peak {
    int rate = 0;
    std::string address;
    Clock::time_point when;
  };
  std::array<Peak, kClientEventCount> take_peaks();
  size_t tracked() const { return entries_.size(); }

 private:
  struct Entry {
    Clock::time_point start;
    std::array<int, kClientEventCount> counts{};
  };
  bool expired(const Entry& entry, Clock::time_point now) const {
    return now - entry.start >= time_unit_;
  }
  void prune(Clock::time_point now);

  std::chrono::milliseconds time_unit_;
  size_t max_tracked_;
  std::unordered_map<std::string, Entry> entries_;
  std::array<Peak, kClientEventCount> peaks_{};
};

}  // namespace correio::smtpd
