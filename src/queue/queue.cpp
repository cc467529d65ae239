// Moves, listing, removal and next-attempt times in the queue directory.
#include "queue/queue.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/file.hpp"
#include "queue/queue_id.hpp"
#include "queue/recycle_pool.hpp"

namespace correio::queue {
namespace {

Status check_id(std::string_view id) {
  if (!is_valid_queue_id(id)) return Error{"invalid queue ID: " + std::string(id)};
  return {};
}

}  // namespace

std::filesystem::path Queue::path(QueueName q) const {
  return root_ / queue_name(q);
}

std::filesystem::path Queue::path(std::string_view id, QueueName q) const {
  return path(q) / std::string(id);
}

Result<std::vector<std::string>> Queue::list(QueueName q) const {
  std::filesystem::path dir = path(q);
  DIR* d = ::opendir(dir.c_str());
  if (!d) return base::errno_error(dir.string(), errno);
  std::vector<std::string> ids;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    if (is_valid_queue_id(e->d_name)) ids.emplace_back(e->d_name);
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return base::errno_error("readdir " + dir.string(), err);
  std::sort(ids.begin(), ids.end());
  return ids;
}

Status Queue::move(std::string_view id, QueueName from, QueueName to, Sync sync) const {
  if (auto s = check_id(id); !s) return s;
  if (from == to) return {};
  std::filesystem::path src = path(id, from), dst = path(id, to);
  if (::rename(src.c_str(), dst.c_str()) != 0)
    return base::errno_error("rename " + src.string() + " to " + dst.string(), errno);
  if (sync == Sync::lazy) return {};
  if (auto s = base::errno_status(base::fsync_directory(path(to)), "fsync " + (path(to)).string());
      !s)
    return s;
  return base::errno_status(base::fsync_directory(path(from)), "fsync " + (path(from)).string());
}

Status Queue::remove(std::string_view id, QueueName q, Sync sync, RecyclePool* pool) const {
  if (auto s = check_id(id); !s) return s;
  std::filesystem::path file = path(id, q);
  if (pool) {
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) return base::errno_error(file.string(), errno);
    if (auto s = pool->retire(file, static_cast<uint64_t>(st.st_size)); !s) return s;
  } else if (::unlink(file.c_str()) != 0) {
    return base::errno_error("unlink " + file.string(), errno);
  }
  // The logs may or may not exist; a missing one is not an error.
  for (QueueName log : {QueueName::defer, QueueName::bounce}) {
    std::filesystem::path p = path(id, log);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT)
      return base::errno_error("unlink " + p.string(), errno);
  }
  if (sync == Sync::lazy) return {};
  return base::errno_status(base::fsync_directory(path(q)), "fsync " + (path(q)).string());
}

Status Queue::set_next_attempt(std::string_view id, QueueName q,
                               std::chrono::system_clock::time_point when) const {
  if (auto s = check_id(id); !s) return s;
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(when.time_since_epoch()).count();
  timespec times[2];
  times[0].tv_sec = times[1].tv_sec = static_cast<time_t>(ns / 1000000000);
  times[0].tv_nsec = times[1].tv_nsec = static_cast<long>(ns % 1000000000);
  std::filesystem::path file = path(id, q);
  if (::utimensat(AT_FDCWD, file.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0)
    return base::errno_error("utimensat " + file.string(), errno);
  return {};
}

Result<std::chrono::system_clock::time_point> Queue::next_attempt(std::string_view id,
                                                                  QueueName q) const {
  if (auto s = check_id(id); !s) return s.error();
  struct stat st {};
  std::filesystem::path file = path(id, q);
  if (::lstat(file.c_str(), &st) != 0) return base::errno_error(file.string(), errno);
  auto since_epoch =
      std::chrono::seconds(st.st_mtim.tv_sec) + std::chrono::nanoseconds(st.st_mtim.tv_nsec);
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(since_epoch));
}

}  // namespace correio::queue
