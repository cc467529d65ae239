// Crash recovery of the queue directory at start (Queue::recover, see queue.hpp): finish
// or roll back what a crash left half done, never losing an acknowledged message.
#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>

#include "base/file.hpp"
#include "queue/queue.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"

namespace correio::queue {
namespace {

Result<std::vector<std::string>> all_names(const std::filesystem::path& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return base::errno_error(dir.string(), errno);
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = ::readdir(d)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
    errno = 0;
  }
  int err = errno;
  ::closedir(d);
  if (err != 0) return base::errno_error("readdir " + dir.string(), err);
  return names;
}

// A writer holds an exclusive flock on its queue file until it has committed or given up
// (queue_file_writer.cpp). A file still locked belongs to a live smtpd or pickup — qmgr
// may restart while they write — and recovery must leave it alone.
bool in_use(const std::filesystem::path& p) {
  base::Fd fd(::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (fd.get() < 0) return false;
  return ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
}

// A writer creates its file, then locks it: between the two another process's recovery
// would see an unlocked, incomplete file. Such files are left alone while young; an
// incomplete file from a real crash is removed at a later start (or by postsuper -p).
bool recently_modified(const struct stat& st) {
  return std::time(nullptr) - st.st_mtime < 60;
}

Status unlink_file(const std::filesystem::path& p) {
  if (::unlink(p.c_str()) != 0 && errno != ENOENT)
    return base::errno_error("unlink " + p.string(), errno);
  return {};
}

}  // namespace

Result<RecoveryReport> Queue::recover() const {
  RecoveryReport report;

  // active/ first, so that the files it hands back are checked with the rest of
  // incoming/ below. Postfix's qmgr does the same move at start.
  auto active = list(QueueName::active);
  if (!active) return active.error();
  for (const std::string& id : *active) {
    if (auto s = move(id, QueueName::active, QueueName::incoming); !s) return s.error();
    report.requeued.push_back(id);
  }

  std::filesystem::path incoming = path(QueueName::incoming);
  auto names = all_names(incoming);
  if (!names) return names.error();
  bool removed_any = false;
  for (const std::string& name : *names) {
    std::filesystem::path file = incoming / name;
    struct stat st {};
    if (::lstat(file.c_str(), &st) != 0) {
      if (errno == ENOENT) continue;  // its writer finished or gave up meanwhile
      return base::errno_error(file.string(), errno);
    }
    if (S_ISREG(st.st_mode) &&
        (in_use(file) || ((st.st_mode & S_IXUSR) == 0 && recently_modified(st))))
      continue;
    if (!is_valid_queue_id(name)) {
      // A writer's temporary file (never acknowledged), or a stranger: only regular
      // files are ours to remove.
      if (S_ISREG(st.st_mode)) {
        if (auto s = unlink_file(file); !s) return s.error();
        report.removed_incomplete.push_back(name);
        removed_any = true;
      }
      continue;
    }
    auto bytes = base::read_file(file, kMaxQueueFileSize);
    CheckResult check{FileState::corrupt, bytes ? "" : bytes.error().message};
    QueueFile parsed;
    if (bytes) check = check_queue_file(*bytes, &parsed);
    bool marked_complete = (st.st_mode & S_IXUSR) != 0;
    bool stale = check.state == FileState::complete && !parsed.envelope.queue_id.empty() &&
                 parsed.envelope.queue_id != name;
    if (stale) {
      // A reused file renamed to its new ID whose new content was lost in the crash: it
      // still holds the message it carried before, which was delivered then.
      if (auto s = unlink_file(file); !s) return s.error();
      report.removed_incomplete.push_back(name);
      removed_any = true;
    } else if (check.state == FileState::complete) {
      // The mode is a hint that fdatasync does not persist; restore it.
      if (!marked_complete && ::chmod(file.c_str(), 0700) != 0)
        return base::errno_error("chmod " + file.string(), errno);
      ++report.kept;
    } else if (check.state == FileState::incomplete && !marked_complete) {
      if (auto s = unlink_file(file); !s) return s.error();
      report.removed_incomplete.push_back(name);
      removed_any = true;
    } else {
      if (auto s = move(name, QueueName::incoming, QueueName::corrupt); !s) return s.error();
      report.corrupt.push_back(name);
      report.corrupt_reasons.push_back(check.reason);
    }
  }
  if (removed_any)
    if (auto s = base::errno_status(base::fsync_directory(incoming), "fsync " + incoming.string());
        !s)
      return s.error();

  // Interrupted defer-log rewrites leave "ID.tmp" files (defer_log.cpp).
  auto logs = all_names(path(QueueName::defer));
  if (!logs) return logs.error();
  for (const std::string& name : *logs)
    if (!is_valid_queue_id(name))
      if (auto s = unlink_file(path(QueueName::defer) / name); !s) return s.error();
  return report;
}

}  // namespace correio::queue
