// Wall-clock time as the integers Correio stores and logs (queue arrival times, delays in
// log lines, modseq seeds). Thread-safe.
#pragma once

#include <chrono>
#include <cstdint>

namespace correio::base {

// Microseconds since the Unix epoch (system clock).
inline int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace correio::base
