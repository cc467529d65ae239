// The pool of reusable queue files (see the header).
#include "queue/recycle_pool.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.hpp"
#include "queue/queue_directories.hpp"

namespace correio::queue {
namespace {

constexpr int kRetireTries = 4;  // free names tried before the file is deleted instead

bool is_pool_name(std::string_view name) {
  return name.size() > 1 && name[0] == 'r' &&
         name.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

}  // namespace

RecyclePool::RecyclePool(std::filesystem::path queue_directory)
    : RecyclePool(std::move(queue_directory), Options{}) {}

RecyclePool::RecyclePool(std::filesystem::path queue_directory, Options options)
    : directory_(queue_directory / queue_name(QueueName::recycle)), options_(options) {
  if (options_.capacity == 0) options_.capacity = 1;
}

Status RecyclePool::retire(const std::filesystem::path& path, uint64_t size) {
  if (size <= options_.max_file_size) {
    for (int attempt = 0; attempt < kRetireTries; ++attempt) {
      size_t slot;
      {
        std::lock_guard lock(mutex_);
        slot = next_slot_++ % options_.capacity;
      }
      std::filesystem::path to = directory_ / fmt::format("r{}", slot);
      if (::renameat2(AT_FDCWD, path.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
        return {};
      if (errno != EEXIST) break;  // no pool directory, no RENAME_NOREPLACE, ...: delete
    }
  }
  if (::unlink(path.c_str()) != 0) return base::errno_error("unlink " + path.string(), errno);
  return {};
}

void RecyclePool::refill_locked() {
  DIR* d = ::opendir(directory_.c_str());
  if (!d) return;
  while (dirent* e = ::readdir(d))
    if (is_pool_name(e->d_name)) candidates_.emplace_back(e->d_name);
  ::closedir(d);
}

bool RecyclePool::take(const std::filesystem::path& to) {
  std::lock_guard lock(mutex_);
  while (true) {
    if (candidates_.empty()) {
      auto now = std::chrono::steady_clock::now();
      if (now < next_scan_) return false;
      refill_locked();
      if (candidates_.empty()) {
        next_scan_ = now + options_.rescan_after;
        return false;
      }
    }
    std::filesystem::path from = directory_ / candidates_.back();
    candidates_.pop_back();
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(), RENAME_NOREPLACE) == 0)
      return true;
    if (errno != ENOENT) {  // not merely taken by another process: stop using the pool
      candidates_.clear();
      next_scan_ = std::chrono::steady_clock::now() + options_.rescan_after;
      return false;
    }
  }
}

}  // namespace correio::queue
