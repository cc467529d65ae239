// Fast flush logs and the revive trigger (see flush_log.hpp).
#include "queue/flush_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <set>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "queue/queue_id.hpp"

namespace correio::queue {
namespace {

enum class Revive { no, yes };

// Takes flush/NAME and moves its deferred mail to incoming/ (flush_site's work); with
// Revive::no it leaves an empty log behind instead of touching the revive trigger.
Result<size_t> take_and_requeue(const Queue& q, const std::string& name, Revive revive);

// Longest log read (about two million queue IDs); a longer one is an error, and its mail
// keeps its normal retry time.
constexpr size_t kMaxLogSize = 32 << 20;

Status append(const std::filesystem::path& file, std::string_view text) {
  int fd = ::open(file.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return base::errno_error("open " + file.string(), errno);
  // O_APPEND: one write of a short line lands whole even with several writers.
  ssize_t n = ::write(fd, text.data(), text.size());
  int err = errno;
  ::close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    return base::errno_error("write " + file.string(), n < 0 ? err : EIO);
  return {};
}

}  // namespace

std::string flush_site_name(std::string_view site) {
  if (site.empty() || site.size() > 255 || site.front() == '.' || site.back() == '.') return {};
  for (char c : site) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.';
    if (!ok) return {};
  }
  if (site.find("..") != std::string_view::npos) return {};
  return base::to_lower(site);
}

Status flush_log_add(const Queue& q, std::string_view site, std::string_view id) {
  std::string name = flush_site_name(site);
  if (name.empty()) return Error{"fast flush: bad site name: " + std::string(site)};
  return append(q.path(QueueName::flush) / name, std::string(id) + "\n");
}

Status request_revival(const Queue& q) {
  std::filesystem::path trigger = q.path(QueueName::flush) / std::string(kReviveTrigger);
  // An open for writing and a close: qmgr's inotify sees IN_CLOSE_WRITE.
  int fd = ::open(trigger.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return base::errno_error("open " + trigger.string(), errno);
  ::close(fd);
  return {};
}

Result<size_t> flush_site(const Queue& q, std::string_view site) {
  std::string name = flush_site_name(site);
  if (name.empty()) return Error{"fast flush: bad site name: " + std::string(site)};
  return take_and_requeue(q, name, Revive::yes);
}

FlushMaintenance maintain_flush_logs(const Queue& q, std::chrono::seconds refresh_time,
                                     std::chrono::seconds purge_time,
                                     std::vector<std::string>& problems) {
  FlushMaintenance done;
  std::filesystem::path dir = q.path(QueueName::flush);
  std::error_code ec;
  std::filesystem::directory_iterator it(dir, ec);
  if (ec) {
    problems.push_back("scan " + dir.string() + ": " + ec.message());
    return done;
  }
  const time_t now = ::time(nullptr);
  for (const auto& entry : it) {
    std::string name = entry.path().filename().string();
    // Only logs: not the revive trigger, not a log being taken by a flush.
    if (name.ends_with(".taken") || flush_site_name(name) != name) continue;
    struct stat st;
    if (::lstat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (st.st_size == 0) {
      // flush(8): "Delete empty per-destination logfiles that were not updated in
      // $fast_flush_purge_time days".
      if (st.st_mtime + purge_time.count() >= now) continue;
      if (::unlink(entry.path().c_str()) == 0)
        ++done.purged;
      else if (errno != ENOENT)
        problems.push_back(base::errno_error("unlink " + entry.path().string(), errno).message);
      continue;
    }
    // flush(8): "Refresh non-empty per-destination logfiles that were not read in
    // $fast_flush_refresh_time hours, by simulating send requests".
    if (st.st_atime + refresh_time.count() >= now) continue;
    auto moved = take_and_requeue(q, name, Revive::no);
    if (!moved) {
      problems.push_back(name + ": " + moved.error().message);
      continue;
    }
    ++done.refreshed;
    done.requeued += *moved;
  }
  return done;
}

namespace {

Result<size_t> take_and_requeue(const Queue& q, const std::string& name, Revive revive) {
  std::filesystem::path log = q.path(QueueName::flush) / name;
  // Taken by a rename: a deferral logged from now on starts a new log, not lost in ours.
  std::filesystem::path taken = log;
  taken += "." + std::to_string(::getpid()) + ".taken";
  if (::rename(log.c_str(), taken.c_str()) != 0) {
    if (errno == ENOENT) return size_t{0};
    return base::errno_error("rename " + log.string(), errno);
  }
  auto text = base::read_file(taken, kMaxLogSize);
  ::unlink(taken.c_str());
  if (!text) return text.error();
  if (revive == Revive::yes) {
    if (auto st = request_revival(q); !st) return st.error();
  } else {
    // A refresh leaves the log empty, as Postfix's truncation does, so that it is purged
    // after fast_flush_purge_time unless mail for the site is deferred again (no
    // O_TRUNC: a deferral may have started a new log since the rename).
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return base::errno_error("open " + log.string(), errno);
    ::close(fd);
  }
  std::set<std::string> seen;
  size_t moved = 0;
  for (const auto& id : base::split_any(*text, "\n")) {
    if (!is_valid_queue_id(id) || !seen.insert(id).second) continue;
    if (::access(q.path(id, QueueName::deferred).c_str(), F_OK) != 0) continue;
    auto st = q.move(id, QueueName::deferred, QueueName::incoming);
    if (st) {
      ++moved;
    } else if (::access(q.path(id, QueueName::deferred).c_str(), F_OK) == 0) {
      return st.error();  // still there: a real failure, not qmgr taking it meanwhile
    }
  }
  return moved;
}

}  // namespace

}  // namespace correio::queue
