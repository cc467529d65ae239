// Maildir file names in Dovecot's form (see maildir_name.hpp).
#include "store/maildir_name.hpp"

#include <fmt/format.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <compare>

namespace correio::store {
namespace {

// The decimal number `s` starts with (0 if none; at most 18 digits, so that it cannot
// overflow), removed from `s`.
uint64_t take_number(std::string_view& s) {
  uint64_t n = 0;
  size_t i = 0;
  while (i < s.size() && i < 18 && s[i] >= '0' && s[i] <= '9') n = n * 10 + (s[i++] - '0');
  s.remove_prefix(i);
  return n;
}

struct DeliveryTime {
  uint64_t sec = 0, usec = 0;
  auto operator<=>(const DeliveryTime&) const = default;
};

DeliveryTime delivery_time(std::string_view name) {
  DeliveryTime t;
  t.sec = take_number(name);
  if (name.starts_with(".M")) {
    name.remove_prefix(2);
    t.usec = take_number(name);
  }
  return t;
}

}  // namespace

std::string maildir_host_part(std::string_view hostname) {
  std::string out;
  out.reserve(hostname.size());
  for (char c : hostname) {
    if (c == '/')
      out += "\\057";
    else if (c == ':')
      out += "\\072";
    else
      out += c;
  }
  return out;
}

std::string maildir_unique_name(int64_t sec, int64_t usec, long pid, uint64_t counter,
                                std::string_view host_part) {
  return fmt::format("{}.M{}P{}Q{}.{}", sec, usec, pid, counter, host_part);
}

std::string maildir_unique_name(std::string_view host_part) {
  static std::atomic<uint64_t> counter{0};
  struct timeval tv {};
  ::gettimeofday(&tv, nullptr);
  uint64_t n = counter.fetch_add(1, std::memory_order_relaxed) + 1;
  return maildir_unique_name(tv.tv_sec, tv.tv_usec, static_cast<long>(::getpid()), n, host_part);
}

bool maildir_name_before(std::string_view a, std::string_view b) {
  DeliveryTime ta = delivery_time(a), tb = delivery_time(b);
  if (ta != tb) return ta < tb;
  return a < b;
}

std::string maildir_sized_name(std::string_view base_name, uint64_t size, uint64_t vsize) {
  return fmt::format("{},S={},W={}", base_name, size, vsize);
}

}  // namespace correio::store
