// Small file-system helpers of the mailbox store: whole-file reads, errno messages,
// directory fsync, stat stamps. Internal to correio_mailbox.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::mailbox::detail {

namespace fs = std::filesystem;

std::string errno_text(int e);
Error sys_error(std::string_view what, const fs::path& path, int e);

// The whole file; `*missing` (if given) is set instead of failing when it does not exist.
Result<std::string> read_file(const fs::path& path, bool* missing = nullptr);

Status fsync_dir(const fs::path& dir);
Status make_dir(const fs::path& dir);  // mkdir 0700; an existing directory is fine

// What changed-detection compares: mtime with nanoseconds, size and inode.
struct FileStamp {
  int64_t mtime_sec = 0;
  int64_t mtime_nsec = 0;
  uint64_t size = 0;
  uint64_t ino = 0;
  bool operator==(const FileStamp&) const = default;
};
// A zero stamp when the file does not exist.
Result<FileStamp> stamp_of(const fs::path& path);

}  // namespace correio::mailbox::detail
