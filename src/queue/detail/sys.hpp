// System-call helpers for the queue: complete writes, directory syncs, errno as Error.
// Private to src/queue/; every function retries EINTR and reports failure as a value.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::queue::detail {

// "what: strerror(err)" as an Error.
Error errno_error(std::string_view what, int err);

// Writes all of `data` at the current offset / at `offset`; short writes are continued.
Status write_all(int fd, std::string_view data, std::string_view what);
Status pwrite_all(int fd, std::string_view data, off_t offset, std::string_view what);

// Reads the whole file (at most `limit` bytes; larger files are an error).
Result<std::string> read_file(const std::filesystem::path& path, size_t limit);

Status fdatasync_fd(int fd, std::string_view what);

// Opens the directory and fsyncs it, so that entries created, renamed or removed in it
// are on stable storage.
Status fsync_directory(const std::filesystem::path& dir);

// Closes a file descriptor on scope exit.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace correio::queue::detail
