// Raising RLIMIT_NOFILE (see open_files.hpp).
#include "base/open_files.hpp"

#include <fmt/format.h>
#include <sys/resource.h>

#include <cerrno>
#include <cstring>
#include <fstream>

namespace correio::base {
namespace {

// setrlimit refuses more than fs.nr_open descriptors even when the hard limit is
// RLIM_INFINITY.
rlim_t kernel_maximum() {
  std::ifstream in("/proc/sys/fs/nr_open");
  long long n = 0;
  if (in >> n && n > 0) return static_cast<rlim_t>(n);
  return 1024 * 1024;  // the kernel's default nr_open
}

long as_long(rlim_t value) {
  return value == RLIM_INFINITY ? -1 : static_cast<long>(value);
}

}  // namespace

OpenFileLimit raise_open_file_limit() {
  OpenFileLimit out;
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) < 0) {
    out.error = std::strerror(errno);
    return out;
  }
  out.before = out.soft = as_long(limit.rlim_cur);
  out.hard = as_long(limit.rlim_max);
  rlim_t target = limit.rlim_max == RLIM_INFINITY ? kernel_maximum() : limit.rlim_max;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur < target) {
    limit.rlim_cur = target;
    if (::setrlimit(RLIMIT_NOFILE, &limit) < 0)
      out.error = std::strerror(errno);
    else
      out.soft = as_long(target);
  }
  return out;
}

std::string describe(const OpenFileLimit& limit) {
  auto text = [](long n) { return n < 0 ? std::string("unlimited") : std::to_string(n); };
  std::string out = "open file limit " + text(limit.soft);
  if (limit.soft != limit.before)
    out += fmt::format(" (raised from {}, hard limit {})", text(limit.before), text(limit.hard));
  else
    out += fmt::format(" (hard limit {})", text(limit.hard));
  if (!limit.error.empty()) out += ": cannot raise it: " + limit.error;
  return out;
}

}  // namespace correio::base
