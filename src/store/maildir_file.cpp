// The one Maildir writer: unnamed file (or tmp/ file) -> write -> mtime -> fsync -> link
// (see maildir_file.hpp).
#include "store/maildir_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace correio::store {
namespace {

namespace fs = std::filesystem;

Error failed(int* err, int e, const std::string& what) {
  if (err) *err = e;
  return Error{what + ": " + std::strerror(e)};
}

// Writes, stamps and syncs an open file; 0 or the errno.
int fill(int fd, std::string_view prefix, std::string_view bytes, std::optional<time_t> mtime) {
  if (int e = base::write_all(fd, prefix); e != 0) return e;
  if (int e = base::write_all(fd, bytes); e != 0) return e;
  if (mtime) {
    // Before the fsync, so that the date is as durable as the bytes.
    struct timespec ts[2] = {{*mtime, 0}, {*mtime, 0}};
    if (::futimens(fd, ts) != 0) return errno;
  }
  return base::fsync_fd(fd);
}

}  // namespace

Result<MaildirFile> MaildirFile::write(const fs::path& maildir, std::string_view dir,
                                       const std::string& unique, std::string_view prefix,
                                       std::string_view bytes, std::optional<time_t> mtime,
                                       int* err) {
  if (err) *err = 0;
  fs::path target_dir = maildir / dir;
  // linkat() of an O_TMPFILE file goes through /proc/self/fd (AT_EMPTY_PATH would need
  // CAP_DAC_READ_SEARCH): without /proc, the tmp/ way.
  base::Fd fd;
  int open_error = EOPNOTSUPP;
  if (::access("/proc/self/fd", X_OK) == 0) {
    fd.reset(::open(target_dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600));
    if (!fd.valid()) open_error = errno;
  }
  if (fd.valid()) {
    if (int e = fill(fd.get(), prefix, bytes, mtime); e != 0)
      return failed(err, e, "write maildir file in " + target_dir.string());
    return MaildirFile(std::move(fd), {});
  }
  if (open_error == ENOENT) return failed(err, ENOENT, "open " + target_dir.string());

  // maildir(5)'s way, for file systems without O_TMPFILE.
  fs::path tmp = maildir / "tmp" / unique;
  fd.reset(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (!fd.valid()) return failed(err, errno, "create maildir file " + tmp.string());
  int e = fill(fd.get(), prefix, bytes, mtime);
  if (int ce = fd.close(); e == 0) e = ce;  // NFS reports write errors at close
  if (e != 0) {
    ::unlink(tmp.c_str());
    return failed(err, e, "write maildir file " + tmp.string());
  }
  return MaildirFile(base::Fd(), std::move(tmp));
}

MaildirFile::MaildirFile(MaildirFile&& other) noexcept
    : fd_(std::move(other.fd_)), tmp_(std::move(other.tmp_)), linked_(other.linked_) {
  other.tmp_.clear();
}

MaildirFile& MaildirFile::operator=(MaildirFile&& other) noexcept {
  if (this != &other) {
    if (!tmp_.empty()) ::unlink(tmp_.c_str());
    fd_ = std::move(other.fd_);
    tmp_ = std::move(other.tmp_);
    other.tmp_.clear();
    linked_ = other.linked_;
  }
  return *this;
}

MaildirFile::~MaildirFile() {
  if (!tmp_.empty()) ::unlink(tmp_.c_str());
}

int MaildirFile::link_to(const fs::path& target) {
  if (linked_) return EEXIST;
  if (!tmp_.empty()) {
    // link() rather than rename(): it never replaces an existing file (maildir(5)).
    if (::link(tmp_.c_str(), target.c_str()) != 0) return errno;
    ::unlink(tmp_.c_str());
    tmp_.clear();
    linked_ = true;
    return 0;
  }
  std::string self = "/proc/self/fd/" + std::to_string(fd_.get());
  if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) != 0)
    return errno;
  linked_ = true;
  if (int e = fd_.close(); e != 0) {  // NFS reports write errors at close
    ::unlink(target.c_str());
    return e;
  }
  return 0;
}

}  // namespace correio::store
