// Dovecot-compatible dot-locking (Dovecot's file-dotlock): the lock of FILE is FILE.lock,
// created exclusively; a writer fills the lock file with the new contents and renames it
// over FILE, so readers see the old or the new file, never a half-written one. A lock whose
// mtime has not changed for `stale` seconds is taken over, as Dovecot does for its
// dovecot-uidlist (120 s). Internal to correio_mailbox.
//
// Threads of one process (imapd's workers) first queue on an in-process mutex per FILE,
// so they hand the lock over at once instead of polling the file system against each
// other; the file lock then excludes other processes (Dovecot, the delivery agent).
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string_view>

#include "base/result.hpp"

namespace correio::mailbox::detail {

class Dotlock {
 public:
  // Waits up to `timeout` for FILE.lock.
  static Result<Dotlock> acquire(std::filesystem::path file,
                                 std::chrono::seconds timeout = std::chrono::seconds(60),
                                 std::chrono::seconds stale = std::chrono::seconds(120));
  Dotlock(Dotlock&& other) noexcept;
  Dotlock& operator=(Dotlock&&) = delete;
  ~Dotlock();  // releases (unlinks) the lock if still held

  // Writes `contents` into the lock file, fsyncs it and renames it over FILE; the lock is
  // released by the rename.
  Status replace(std::string_view contents);
  // Releases the lock without touching FILE.
  void release();

 private:
  Dotlock(std::filesystem::path file, int fd, std::shared_ptr<std::timed_mutex> local,
          std::unique_lock<std::timed_mutex> held)
      : file_(std::move(file)), fd_(fd), local_(std::move(local)), held_(std::move(held)) {}
  std::filesystem::path lock_path() const;
  std::filesystem::path file_;
  int fd_ = -1;
  std::shared_ptr<std::timed_mutex> local_;  // this FILE's in-process mutex (kept alive)
  std::unique_lock<std::timed_mutex> held_;  // owned while the lock is held
};

}  // namespace correio::mailbox::detail
