// The master's pid file: format, lock, and the "is it running?" query (see pid_file.hpp).
#include "master/pid_file.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/strings.hpp"

namespace correio::master {

std::string format_pid_line(pid_t pid) {
  return fmt::format("{:>10}\n", static_cast<long>(pid));
}

std::optional<pid_t> parse_pid_line(std::string_view text) {
  auto end = text.find('\n');
  auto value = base::parse_int(base::trim(text.substr(0, end)));
  if (!value || *value <= 0 || *value > 0x7fffffff) return std::nullopt;
  return static_cast<pid_t>(*value);
}

Result<PidFile> PidFile::acquire(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Error{fmt::format("open {}: {}", path.string(), std::strerror(errno))};
  int rc;
  do {
    rc = ::flock(fd, LOCK_EX | LOCK_NB);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) {
    int saved = errno;
    ::close(fd);
    if (saved == EWOULDBLOCK) return Error{"the Correio mail system is already running"};
    return Error{fmt::format("lock {}: {}", path.string(), std::strerror(saved))};
  }
  return PidFile(fd);
}

PidFile::PidFile(PidFile&& other) noexcept : fd_(other.fd_) {
  other.fd_ = -1;
}

PidFile::~PidFile() {
  if (fd_ >= 0) ::close(fd_);
}

Status PidFile::write(pid_t pid) {
  std::string line = format_pid_line(pid);
  if (::ftruncate(fd_, 0) < 0)
    return Error{fmt::format("truncate pid file: {}", std::strerror(errno))};
  ssize_t n;
  do {
    n = ::pwrite(fd_, line.data(), line.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n != static_cast<ssize_t>(line.size()))
    return Error{fmt::format("write pid file: {}", n < 0 ? std::strerror(errno) : "short write")};
  if (::fsync(fd_) < 0) return Error{fmt::format("sync pid file: {}", std::strerror(errno))};
  return {};
}

std::optional<pid_t> running_master(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return std::nullopt;
  std::optional<pid_t> pid;
  if (::flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
    // Locked: a master runs. It may not have written its pid yet; retry briefly.
    for (int attempt = 0; attempt < 50 && !pid; ++attempt) {
      char buf[64] = {};
      ssize_t n = ::pread(fd, buf, sizeof buf - 1, 0);
      if (n > 0) pid = parse_pid_line(std::string_view(buf, static_cast<size_t>(n)));
      if (!pid) ::usleep(20000);
    }
  }
  ::close(fd);  // also drops our shared lock, if we got it
  return pid;
}

}  // namespace correio::master
