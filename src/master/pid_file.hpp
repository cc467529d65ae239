// The master's pid file, data_directory/master.pid: Postfix's format (the pid right-aligned
// in ten columns and a newline), locked with flock(2) for as long as the master runs, so
// "is a master running?" is "is the lock held?" and a stale file never fools anyone.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::master {

// "      1234\n"
std::string format_pid_line(pid_t pid);
// The pid in the first line of a pid file, or nullopt when it is not a positive number.
std::optional<pid_t> parse_pid_line(std::string_view text);

// The lock held by the running master. Movable, not copyable; the lock is released when
// the object (and every process that inherited the descriptor before exec) is gone.
class PidFile {
 public:
  // Opens and locks `path`. Fails with "the Correio mail system is already running" when
  // another process holds the lock.
  static Result<PidFile> acquire(const std::filesystem::path& path);
  PidFile(PidFile&& other) noexcept;
  PidFile& operator=(PidFile&&) = delete;
  PidFile(const PidFile&) = delete;
  ~PidFile();

  // Replaces the file's content with format_pid_line(pid) and syncs it.
  Status write(pid_t pid);

 private:
  explicit PidFile(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// The pid of the running master, or nullopt when the lock on `path` is free (no file, a
// stale file, or an unreadable one are all "not running").
std::optional<pid_t> running_master(const std::filesystem::path& path);

}  // namespace correio::master
