// Small file-system helpers of the mailbox store on top of base/file.hpp: errno messages
// that name the path, mkdir, stat stamps. Internal to correio_mailbox.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/file.hpp"
#include "base/result.hpp"

namespace correio::mailbox::detail {

namespace fs = std::filesystem;

std::string errno_text(int e);
Error sys_error(std::string_view what, const fs::path& path, int e);

// The read limit of mailbox files (base::read_file): none of their own; messages are
// bounded on the way in, Dovecot's files by what writes them.
inline constexpr size_t kAnySize = SIZE_MAX;

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
