// System-call helpers for the queue: complete writes, directory syncs, errno as Error.
#include "queue/detail/sys.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace correio::queue::detail {

Error errno_error(std::string_view what, int err) {
  return Error{std::string(what) + ": " + std::strerror(err)};
}

Status write_all(int fd, std::string_view data, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(what, errno);
    }
    if (n == 0) return errno_error(what, ENOSPC);
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status pwrite_all(int fd, std::string_view data, off_t offset, std::string_view what) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(what, errno);
    }
    if (n == 0) return errno_error(what, ENOSPC);
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return {};
}

Result<std::string> read_file(const std::filesystem::path& path, size_t limit) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return errno_error(path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(path.string(), errno);
  if (!S_ISREG(st.st_mode)) return Error{path.string() + ": not a regular file"};
  if (static_cast<unsigned long long>(st.st_size) > limit)
    return Error{path.string() + ": file too large"};
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  // Read to EOF rather than trusting st_size alone: the file may still be growing.
  while (true) {
    if (got == out.size()) {
      if (out.size() >= limit) break;
      out.resize(std::min(limit, out.size() + 4096));
    }
    ssize_t n = ::read(fd.get(), out.data() + got, out.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(path.string(), errno);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Status fdatasync_fd(int fd, std::string_view what) {
  while (::fdatasync(fd) != 0) {
    if (errno != EINTR) return errno_error(what, errno);
  }
  return {};
}

Status fsync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return errno_error(dir.string(), errno);
  while (::fsync(fd.get()) != 0) {
    if (errno != EINTR) return errno_error("fsync " + dir.string(), errno);
  }
  return {};
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

}  // namespace correio::queue::detail
