// Restart throttling arithmetic (see backoff.hpp).
#include "master/backoff.hpp"

#include <algorithm>

namespace correio::master {

std::chrono::seconds throttle_delay(int failures, std::chrono::seconds max) {
  if (failures <= 0) return std::chrono::seconds{0};
  if (max <= std::chrono::seconds{0}) return std::chrono::seconds{0};
  // Cap the exponent before shifting: 2^30 s is already far beyond any sane maximum.
  int exponent = std::min(failures - 1, 30);
  return std::min(std::chrono::seconds{1LL << exponent}, max);
}

}  // namespace correio::master
