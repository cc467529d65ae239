// Dovecot-style dotlocks (see dotlock.hpp).
#include "mailbox/detail/dotlock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "mailbox/detail/fs_util.hpp"
#include "store/detail/write_all.hpp"

namespace correio::mailbox::detail {

std::filesystem::path Dotlock::lock_path() const {
  std::filesystem::path p = file_;
  p += ".lock";
  return p;
}

Result<Dotlock> Dotlock::acquire(std::filesystem::path file, std::chrono::seconds timeout,
                                 std::chrono::seconds stale) {
  std::filesystem::path lock = file;
  lock += ".lock";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto pause = std::chrono::milliseconds(2);
  while (true) {
    int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return Dotlock(std::move(file), fd);
    int e = errno;
    if (e != EEXIST) return sys_error("create lock file", lock, e);
    // Someone holds it. A lock left behind by a crashed process is recognised by its
    // age: a live holder finishes (or rewrites the file) long before `stale`.
    struct stat st {};
    if (::stat(lock.c_str(), &st) == 0 &&
        ::time(nullptr) - st.st_mtime > static_cast<time_t>(stale.count())) {
      ::unlink(lock.c_str());
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return Error{"timeout waiting for lock " + lock.string()};
    std::this_thread::sleep_for(pause);
    if (pause < std::chrono::milliseconds(50)) pause *= 2;
  }
}

Dotlock::Dotlock(Dotlock&& other) noexcept : file_(std::move(other.file_)), fd_(other.fd_) {
  other.fd_ = -1;
}

Dotlock::~Dotlock() {
  release();
}

void Dotlock::release() {
  if (fd_ < 0) return;
  ::close(fd_);
  fd_ = -1;
  ::unlink(lock_path().c_str());
}

Status Dotlock::replace(std::string_view contents) {
  if (fd_ < 0) return Error{"lock of " + file_.string() + " is not held"};
  std::filesystem::path lock = lock_path();
  int e = store::detail::write_all(fd_, contents);
  if (e == 0 && ::fsync(fd_) != 0) e = errno;
  if (e != 0) {
    release();
    return sys_error("write", lock, e);
  }
  if (::rename(lock.c_str(), file_.c_str()) != 0) {
    e = errno;
    release();
    return sys_error("rename to " + file_.string() + ":", lock, e);
  }
  ::close(fd_);
  fd_ = -1;
  return {};
}

}  // namespace correio::mailbox::detail
