// Fast flush logs and the revive trigger (see flush_log.hpp).
#include "queue/flush_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "base/file.hpp"
#include "base/strings.hpp"
#include "queue/queue_id.hpp"

namespace correio::queue {
namespace {

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
  if (auto st = request_revival(q); !st) return st.error();
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

}  // namespace correio::queue
