// Dovecot-compatible dot-locking (Dovecot's file-dotlock): the lock of FILE is FILE.lock,
// created exclusively; a writer fills the lock file with the new contents and renames it
// over FILE, so readers see the old or the new file, never a half-written one. A lock whose
// mtime has not changed for `stale` seconds is taken over, as Dovecot does for its
// dovecot-uidlist (120 s). Internal to correio_mailbox.
#pragma once

#include <chrono>
#include <filesystem>
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
  Dotlock(std::filesystem::path file, int fd) : file_(std::move(file)), fd_(fd) {}
  std::filesystem::path lock_path() const;
  std::filesystem::path file_;
  int fd_ = -1;
};

}  // namespace correio::mailbox::detail
