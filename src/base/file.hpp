// The one file layer (Postfix's util/ style, knows nothing of mail): descriptors that close
// themselves, complete writes, whole-file reads, file and directory syncs, and atomic
// replacement. Every call retries EINTR; none throws. Thread-safe (no shared state).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::base {

// "what: strerror(err)" as an Error.
Error errno_error(std::string_view what, int err);
// Success when `err` is 0, else errno_error(what, err): for the calls below, which return
// an errno.
Status errno_status(int err, std::string_view what);

// Owns one file descriptor and closes it on scope exit (a negative value owns nothing).
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
  bool valid() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);
  // Closes now and reports close(2)'s errno (NFS reports write errors there), 0 when fine.
  [[nodiscard]] int close();

 private:
  int fd_ = -1;
};

// The system-call layer returns 0 or the errno of the failure, because callers map errno
// to what they report (a DSN code for ENOSPC or EDQUOT, a 4xx reply); errno_error() turns
// it into a message.

// Writes all of `data` at the current offset / at `offset`; short writes are continued.
[[nodiscard]] int write_all(int fd, std::string_view data);
// `first` then `second` with one writev where the kernel takes both (a record header and
// its data without copying them together).
[[nodiscard]] int write_all(int fd, std::string_view first, std::string_view second);
[[nodiscard]] int pwrite_all(int fd, std::string_view data, off_t offset);
[[nodiscard]] int fsync_fd(int fd);
[[nodiscard]] int fdatasync_fd(int fd);
// Opens the directory and fsyncs it, so that entries created, renamed or removed in it
// are on stable storage.
[[nodiscard]] int fsync_directory(const std::filesystem::path& dir);

// The whole regular file, at most `limit` bytes (a larger file is an error); the final
// component is not followed when it is a symlink. With `missing` given, a file that does
// not exist sets `*missing` and yields "" instead of failing.
Result<std::string> read_file(const std::filesystem::path& path, size_t limit,
                              bool* missing = nullptr);

// What identifies one version of a file: a renewal replaces it (new inode, as certbot's
// symlink switch and `mv` do) or rewrites it (new size, mtime or ctime). `error` is the
// errno of a failed stat (then the rest is zero), so "still missing" compares equal.
struct FileStamp {
  int error = 0;
  dev_t device = 0;
  ino_t inode = 0;
  off_t size = 0;
  long long mtime_ns = 0;
  long long ctime_ns = 0;
  bool operator==(const FileStamp&) const = default;
};
// stat(2) of `path`, following symlinks.
FileStamp file_stamp(const std::filesystem::path& path);
// fstat(2) of an open file.
FileStamp file_stamp(int fd);

// How replace_file_atomically() creates the new file.
struct ReplaceOptions {
  mode_t mode = 0600;
  uid_t owner = static_cast<uid_t>(-1);  // -1: the caller's; otherwise fchown'ed
  gid_t group = static_cast<gid_t>(-1);
};

// Writes `contents` to PATH.tmp, fsyncs it, renames it over PATH and fsyncs PATH's
// directory: readers see the old or the new file, never a half-written one, and after
// success the new file survives a crash. A failure removes PATH.tmp and leaves PATH alone.
// Concurrent writers of one PATH must exclude each other (PATH.tmp is shared).
Status replace_file_atomically(const std::filesystem::path& path, std::string_view contents,
                               const ReplaceOptions& options = {});

}  // namespace correio::base
