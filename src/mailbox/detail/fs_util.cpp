// File-system helpers of the mailbox store (see fs_util.hpp).
#include "mailbox/detail/fs_util.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace correio::mailbox::detail {

std::string errno_text(int e) {
  return std::strerror(e);
}

Error sys_error(std::string_view what, const fs::path& path, int e) {
  return Error{std::string(what) + " " + path.string() + ": " + errno_text(e)};
}

Result<std::string> read_file(const fs::path& path, bool* missing) {
  if (missing) *missing = false;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT && missing) {
      *missing = true;
      return std::string();
    }
    return sys_error("open", path, e);
  }
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      return sys_error("read", path, e);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

Status fsync_dir(const fs::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error("open", dir, errno);
  int rc = ::fsync(fd);
  int e = errno;
  ::close(fd);
  if (rc != 0) return sys_error("fsync", dir, e);
  return {};
}

Status make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return {};
  int e = errno;
  struct stat st {};
  if (e == EEXIST && ::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return {};
  return sys_error("mkdir", dir, e);
}

Result<FileStamp> stamp_of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return FileStamp{};
    return sys_error("stat", path, errno);
  }
  return FileStamp{st.st_mtim.tv_sec, st.st_mtim.tv_nsec, static_cast<uint64_t>(st.st_size),
                   static_cast<uint64_t>(st.st_ino)};
}

}  // namespace correio::mailbox::detail
