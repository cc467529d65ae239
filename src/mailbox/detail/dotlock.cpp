// Dovecot-style dotlocks (see dotlock.hpp).
#include "mailbox/detail/dotlock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <map>
#include <thread>

#include "mailbox/detail/fs_util.hpp"
#include "store/detail/write_all.hpp"

namespace correio::mailbox::detail {
namespace {

// The in-process mutex of each locked file, shared while anyone holds or waits for it.
// Process-wide by nature (it stands for the file), like the index registry; guarded by
// its own mutex.
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

Result<Dotlock> Dotlock::acquire(std::filesystem::path file, std::chrono::seconds timeout,
                                 std::chrono::seconds stale) {
  std::filesystem::path lock = file;
  lock += ".lock";
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::shared_ptr<std::timed_mutex> local = local_lock_of(file);
  std::unique_lock<std::timed_mutex> held(*local, std::defer_lock);
  // When a thread of this process holds it, wait for the hand-over (bounded like the
  // file wait).
  if (!held.try_lock_until(deadline)) return Error{"timeout waiting for lock " + lock.string()};
  auto pause = std::chrono::milliseconds(2);
  while (true) {
    int fd = ::open(lock.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) return Dotlock(std::move(file), fd, std::move(local), std::move(held));
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
  if (held_.owns_lock()) held_.unlock();
  return {};
}

}  // namespace correio::mailbox::detail
