// Dot-locking for Dovecot's files and Postfix's mbox (see dotlock.hpp).
#include "base/dotlock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <thread>

#include "base/file.hpp"

namespace correio::base {
namespace {

// The in-process mutex of each locked file, shared while anyone holds or waits for it.
// Process-wide by nature (it stands for the file); guarded by its own mutex.
struct LocalLocks {
  std::mutex mutex;
  std::map<std::string, std::weak_ptr<std::timed_mutex>> by_file;
};
LocalLocks& local_locks() {
  static LocalLocks locks;
  return locks;
}

std::shared_ptr<std::timed_mutex> local_lock_of(const std::filesystem::path& file) {
  LocalLocks& l = local_locks();
  std::lock_guard guard(l.mutex);
  auto& slot = l.by_file[file.string()];
  auto m = slot.lock();
  if (!m) {
    m = std::make_shared<std::timed_mutex>();
    slot = m;
  }
  // Drop entries nobody uses any more, so the table stays as small as the open folders.
  if (l.by_file.size() > 64) std::erase_if(l.by_file, [](auto& e) { return e.second.expired(); });
  return m;
}

}  // namespace

std::filesystem::path Dotlock::lock_path() const {
  std::filesystem::path p = file_;
  p += ".lock";
  return p;
}

Result<Dotlock> Dotlock::acquire(std::filesystem::path file, const DotlockOptions& options) {
  std::filesystem::path lock = file;
  lock += ".lock";
  auto deadline = std::chrono::steady_clock::now() + options.timeout;
  std::shared_ptr<std::timed_mutex> local = local_lock_of(file);
  std::unique_lock<std::timed_mutex> held(*local, std::defer_lock);
  // When a thread of this process holds it, wait for the hand-over (bounded like the
  // file wait).
  if (!held.try_lock_until(deadline)) return Error{"timeout waiting for lock " + lock.string()};
  auto pause = options.first_pause;
  while (true) {
    int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, options.mode);
    if (fd >= 0) return Dotlock(std::move(file), fd, std::move(local), std::move(held));
    int e = errno;
    if (e != EEXIST) return errno_error("create lock file " + lock.string(), e);
    struct stat st {};
    if (::stat(lock.c_str(), &st) == 0 &&
        ::time(nullptr) - st.st_mtime > static_cast<time_t>(options.stale.count())) {
      ::unlink(lock.c_str());  // stale: its owner died; try again at once
      continue;
    }
    if (std::chrono::steady_clock::now() >= deadline)
      return Error{"timeout waiting for lock " + lock.string()};
    std::this_thread::sleep_for(pause);
    if (pause < options.max_pause) pause = std::min(pause * 2, options.max_pause);
  }
}

Dotlock::Dotlock(Dotlock&& other) noexcept
    : file_(std::move(other.file_)),
      fd_(other.fd_),
      local_(std::move(other.local_)),
      held_(std::move(other.held_)) {
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
  if (held_.owns_lock()) held_.unlock();
}

Status Dotlock::replace(std::string_view contents) {
  if (fd_ < 0) return Error{"lock of " + file_.string() + " is not held"};
  std::filesystem::path lock = lock_path();
  int e = write_all(fd_, contents);
  if (e == 0) e = fsync_fd(fd_);
  if (e != 0) {
    release();
    return errno_error("write " + lock.string(), e);
  }
  if (::rename(lock.c_str(), file_.c_str()) != 0) {
    e = errno;
    release();
    return errno_error("rename to " + file_.string() + ": " + lock.string(), e);
  }
  ::close(fd_);
  fd_ = -1;
  if (held_.owns_lock()) held_.unlock();
  return {};
}

}  // namespace correio::base
