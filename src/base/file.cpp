// The one file layer (see file.hpp): every loop retries EINTR, every failure is an errno or
// an Error, and descriptors are closed on every path by Fd.
#include "base/file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace correio::base {

Error errno_error(std::string_view what, int err) {
  return Error{std::string(what) + ": " + std::strerror(err)};
}

Status errno_status(int err, std::string_view what) {
  if (err == 0) return {};
  return errno_error(what, err);
}

Fd& Fd::operator=(Fd&& other) noexcept {
  if (this != &other) reset(other.release());
  return *this;
}

void Fd::reset(int fd) {
  if (fd_ >= 0) ::close(fd_);
  fd_ = fd;
}

int Fd::close() {
  if (fd_ < 0) return 0;
  // close(2) is not retried on EINTR: on Linux the descriptor is gone either way.
  int rc = ::close(release());
  return rc == 0 ? 0 : errno;
}

int write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    data.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

int write_all(int fd, std::string_view first, std::string_view second) {
  while (!first.empty()) {
    iovec parts[2] = {{const_cast<char*>(first.data()), first.size()},
                      {const_cast<char*>(second.data()), second.size()}};
    ssize_t n = ::writev(fd, parts, 2);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    auto written = static_cast<size_t>(n);
    size_t from_first = std::min(written, first.size());
    first.remove_prefix(from_first);
    second.remove_prefix(written - from_first);
  }
  return write_all(fd, second);
}

int pwrite_all(int fd, std::string_view data, off_t offset) {
  while (!data.empty()) {
    ssize_t n = ::pwrite(fd, data.data(), data.size(), offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (n == 0) return ENOSPC;
    data.remove_prefix(static_cast<size_t>(n));
    offset += n;
  }
  return 0;
}

int fsync_fd(int fd) {
  while (::fsync(fd) != 0)
    if (errno != EINTR) return errno;
  return 0;
}

int fdatasync_fd(int fd) {
  while (::fdatasync(fd) != 0)
    if (errno != EINTR) return errno;
  return 0;
}

int fsync_directory(const std::filesystem::path& dir) {
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno;
  return fsync_fd(fd.get());
}

Result<std::string> read_file(const std::filesystem::path& path, size_t limit, bool* missing) {
  if (missing) *missing = false;
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    if (errno == ENOENT && missing) {
      *missing = true;
      return std::string();
    }
    return errno_error(path.string(), errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) return errno_error(path.string(), errno);
  if (!S_ISREG(st.st_mode)) return Error{path.string() + ": not a regular file"};
  if (static_cast<unsigned long long>(st.st_size) > limit)
    return Error{path.string() + ": file too large"};
  std::string out;
  out.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  // Read to EOF rather than trusting st_size alone: the file may still be growing, and
  // /proc files report 0. Past st_size a small probe buffer asks for more, so that the
  // usual case (the file as fstat saw it) costs no reallocation and copy of the whole.
  char probe[4096];
  while (true) {
    bool probing = got == out.size();
    if (probing && got >= limit) break;
    char* into = probing ? probe : out.data() + got;
    size_t room = probing ? std::min(sizeof probe, limit - got) : out.size() - got;
    ssize_t n = ::read(fd.get(), into, room);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(path.string(), errno);
    }
    if (n == 0) break;
    if (probing) out.append(probe, static_cast<size_t>(n));
    got += static_cast<size_t>(n);
  }
  out.resize(got);
  return out;
}

Status replace_file_atomically(const std::filesystem::path& path, std::string_view contents,
                               const ReplaceOptions& options) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, options.mode));
  if (!fd.valid()) return errno_error("create " + tmp.string(), errno);
  auto failed = [&](std::string_view what, int e) {
    fd.reset();
    ::unlink(tmp.c_str());
    return errno_error(std::string(what) + " " + tmp.string(), e);
  };
  // chown before chmod: chown clears the set-id bits. The umask may have narrowed the
  // mode given to open(), and O_TRUNC kept an old file's mode: fchmod sets the one asked.
  if ((options.owner != static_cast<uid_t>(-1) || options.group != static_cast<gid_t>(-1)) &&
      ::fchown(fd.get(), options.owner, options.group) != 0)
    return failed("fchown", errno);
  if (::fchmod(fd.get(), options.mode) != 0) return failed("fchmod", errno);
  if (int e = write_all(fd.get(), contents); e != 0) return failed("write", e);
  if (int e = fsync_fd(fd.get()); e != 0) return failed("fsync", e);
  if (int e = fd.close(); e != 0) return failed("close", e);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return failed("rename", errno);
  std::filesystem::path dir = path.parent_path();
  if (int e = fsync_directory(dir); e != 0)
    return errno_error("fsync " + (dir.empty() ? std::string(".") : dir.string()), e);
  return {};
}

namespace {

FileStamp stamp_of(int rc, const struct stat& st) {
  FileStamp s;
  if (rc != 0) {
    s.error = errno;
    return s;
  }
  s.device = st.st_dev;
  s.inode = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns = st.st_mtim.tv_sec * 1'000'000'000LL + st.st_mtim.tv_nsec;
  s.ctime_ns = st.st_ctim.tv_sec * 1'000'000'000LL + st.st_ctim.tv_nsec;
  return s;
}

}  // namespace

FileStamp file_stamp(const std::filesystem::path& path) {
  struct stat st {};
  int rc = ::stat(path.c_str(), &st);
  return stamp_of(rc, st);
}

FileStamp file_stamp(int fd) {
  struct stat st {};
  int rc = ::fstat(fd, &st);
  return stamp_of(rc, st);
}

}  // namespace correio::base
