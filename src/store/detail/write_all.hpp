// Writing a whole buffer to a descriptor, retrying short writes and EINTR; shared by the
// mailbox formats. Returns 0 or the errno of the failure.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <string_view>

namespace correio::store::detail {

inline int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

}  // namespace correio::store::detail
