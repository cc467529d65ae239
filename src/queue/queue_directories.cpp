// The queue_directory layout: Postfix's subdirectories, their modes, and creating them.
#include "queue/queue_directories.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "base/file.hpp"

namespace correio::queue {

std::string_view queue_name(QueueName q) {
  switch (q) {
    case QueueName::maildrop:
      return "maildrop";
    case QueueName::incoming:
      return "incoming";
    case QueueName::active:
      return "active";
    case QueueName::deferred:
      return "deferred";
    case QueueName::hold:
      return "hold";
    case QueueName::corrupt:
      return "corrupt";
    case QueueName::bounce:
      return "bounce";
    case QueueName::defer:
      return "defer";
    case QueueName::pid:
      return "pid";
    case QueueName::private_:
      return "private";
    case QueueName::public_:
      return "public";
    case QueueName::recycle:
      return "recycle";
    case QueueName::flush:
      return "flush";
  }
  return "?";
}

std::optional<QueueName> parse_queue_name(std::string_view name) {
  for (QueueName q : kAllQueueNames)
    if (queue_name(q) == name) return q;
  return std::nullopt;
}

mode_t queue_directory_mode(QueueName q) {
  switch (q) {
    case QueueName::maildrop:
      return 01733;
    case QueueName::public_:
      return 0711;  // search only: users reach public/showq, nobody lists (see the header)
    default:
      return 0700;
  }
}

Status create_queue_directories(const std::filesystem::path& queue_directory,
                                std::optional<QueueOwner> owner) {
  if (::mkdir(queue_directory.c_str(), 0755) != 0 && errno != EEXIST)
    return base::errno_error("mkdir " + queue_directory.string(), errno);
  for (QueueName q : kAllQueueNames) {
    std::filesystem::path dir = queue_directory / queue_name(q);
    mode_t mode = queue_directory_mode(q);
    if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
      return base::errno_error("mkdir " + dir.string(), errno);
    struct stat st {};
    if (::lstat(dir.c_str(), &st) != 0) return base::errno_error(dir.string(), errno);
    if (!S_ISDIR(st.st_mode)) return Error{dir.string() + ": exists and is not a directory"};
    if (owner && ::chown(dir.c_str(), owner->uid, owner->gid) != 0)
      return base::errno_error("chown " + dir.string(), errno);
    // mkdir's mode is filtered by the umask; chmod says exactly what we mean.
    if (::chmod(dir.c_str(), mode) != 0) return base::errno_error("chmod " + dir.string(), errno);
  }
  return base::errno_status(base::fsync_directory(queue_directory),
                            "fsync " + queue_directory.string());
}

}  // namespace correio::queue
