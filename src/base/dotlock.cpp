// Dot-locking for Dovecot's files and Postfix's mbox (see dotlock.hpp).
#include "base/dotlock.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <map>
#include <string>
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

std::string host_name() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0) return {};
  return name.data();
}

// "PID:HOST", what Dovecot's file-dotlock writes into a lock file and reads back to find
// a dead owner.
std::string owner_stamp() {
  return std::to_string(::getpid()) + ":" + host_name();
}

// True when the lock file names a process of this host that no longer exists: its owner
// was killed, so the lock is taken over at once instead of after `stale` seconds. A lock
// being written (empty, or already holding the new contents) names nobody and is kept.
bool owner_is_dead(const std::filesystem::path& lock) {
  int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return false;
  std::array<char, 300> buffer{};
  ssize_t n = ::read(fd, buffer.data(), buffer.size());
  ::close(fd);
  if (n <= 0) return false;
  std::string_view text(buffer.data(), static_cast<size_t>(n));
  size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon > 10) return false;
  pid_t pid = 0;
  for (char c : text.substr(0, colon)) {
    if (c < '0' || c > '9') return false;
    pid = pid * 10 + (c - '0');
  }
  if (text.substr(colon + 1) != host_name()) return false;
  return pid > 0 && ::kill(pid, 0) != 0 && errno == ESRCH;
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
    if (fd >= 0) {
      // Name the owner, as Dovecot does, so that others can tell when it was killed.
      if (int e = write_all(fd, owner_stamp()); e != 0) {
        ::close(fd);
        ::unlink(lock.c_str());
        return errno_error("write lock file " + lock.string(), e);
      }
      return Dotlock(std::move(file), fd, options.mode, std::move(local), std::move(held));
    }
    int e = errno;
    if (e != EEXIST) return errno_error("create lock file " + lock.string(), e);
    struct stat st {};
    if (owner_is_dead(lock) ||
        (::stat(lock.c_str(), &st) == 0 &&
         ::time(nullptr) - st.st_mtime > static_cast<time_t>(options.stale.count()))) {
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
      mode_(other.mode_),
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
  // The contents go into FILE.lock.tmp, not into the lock: the lock keeps naming its owner
  // until the end, so a holder killed while writing (fsync can take long) leaves a lock
  // that the next one takes over at once. Only the holder writes the temporary file, so
  // one name is enough; a killed holder's leftover is truncated by the next.
  std::filesystem::path temporary = lock_path();
  temporary += ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode_);
  int e = fd >= 0 ? 0 : errno;
  if (e == 0) e = write_all(fd, contents);
  if (e == 0) e = fsync_fd(fd);
  if (fd >= 0 && ::close(fd) != 0 && e == 0) e = errno;
  if (e == 0 && ::rename(temporary.c_str(), file_.c_str()) != 0) e = errno;
  if (e != 0) {
    ::unlink(temporary.c_str());
    return errno_error("replace " + file_.string() + " through " + temporary.string(), e);
  }
  return {};
}

}  // namespace correio::base
