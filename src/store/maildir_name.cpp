// Maildir file names in Dovecot's form (see maildir_name.hpp).
#include "store/maildir_name.hpp"

#include <fmt/format.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>

namespace correio::store {

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

std::string maildir_sized_name(std::string_view base_name, uint64_t size, uint64_t vsize) {
  return fmt::format("{},S={},W={}", base_name, size, vsize);
}

}  // namespace correio::store
