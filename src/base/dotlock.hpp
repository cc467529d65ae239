// Dot-locking, the one implementation behind Dovecot's file-dotlock (dovecot-uidlist,
// dovecot-keywords) and Postfix's dot_lockfile (mbox): the lock of FILE is FILE.lock,
// created exclusively. The lock file holds "PID:HOST" (Dovecot's format) while it is held;
// a lock whose owner is a dead process of this host is taken over at once, and any lock
// whose mtime is older than `stale` too: its owner died (a live holder finishes, or
// rewrites the file, long before). A holder may replace FILE with new
// contents (written to FILE.lock.tmp and renamed over FILE under the lock), so readers
// see the old or the new file, never a half-written one.
//
// Threads of one process (imapd's workers) first queue on an in-process mutex per FILE, so
// they hand the lock over at once instead of polling the file system against each other;
// the file lock then excludes other processes. A Dotlock is owned by one thread at a time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>

#include "base/result.hpp"

namespace correio::base {

struct DotlockOptions {
  std::chrono::milliseconds timeout{60000};  // give up after this long
  std::chrono::milliseconds first_pause{2};  // between attempts, doubling up to max_pause
  std::chrono::milliseconds max_pause{50};
  std::chrono::seconds stale{120};  // Dovecot's dovecot-uidlist value; Postfix uses 300
  mode_t mode = 0600;               // of the lock file (and so of FILE after replace())
};

class Dotlock {
 public:
  // Waits up to options.timeout for FILE.lock. The error names the lock file.
  static Result<Dotlock> acquire(std::filesystem::path file, const DotlockOptions& options = {});
  Dotlock(Dotlock&& other) noexcept;
  Dotlock& operator=(Dotlock&&) = delete;
  ~Dotlock();  // releases (unlinks) the lock if still held

  // Writes `contents` into FILE.lock.tmp, fsyncs it and renames it over FILE. The lock
  // stays held (until release() or destruction): a holder that keeps state derived from
  // FILE, as a folder's index is from dovecot-uidlist, updates it under the same lock.
  Status replace(std::string_view contents);
  // Releases the lock without touching FILE.
  void release();

 private:
  Dotlock(std::filesystem::path file, int fd, mode_t mode, std::shared_ptr<std::timed_mutex> local,
          std::unique_lock<std::timed_mutex> held)
      : file_(std::move(file)),
        fd_(fd),
        mode_(mode),
        local_(std::move(local)),
        held_(std::move(held)) {}
  std::filesystem::path lock_path() const;
  std::filesystem::path file_;
  int fd_ = -1;
  mode_t mode_ = 0600;                       // of FILE after replace()
  std::shared_ptr<std::timed_mutex> local_;  // this FILE's in-process mutex (kept alive)
  std::unique_lock<std::timed_mutex> held_;  // owned while the lock is held
};

}  // namespace correio::base
