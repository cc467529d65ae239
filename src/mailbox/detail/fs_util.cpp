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
