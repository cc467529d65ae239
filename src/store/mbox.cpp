// mbox delivery with dotlock + fcntl locking and truncate-on-failure (see mbox.hpp). The
// lock order (dotlock, then the kernel lock) and the stale-lock rule are Postfix's
// (global/dot_lockfile.c, global/mbox_open.c).
#include "store/mbox.hpp"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <thread>

#include "base/dotlock.hpp"
#include "base/file.hpp"

namespace correio::store {
namespace {

Error fail(MboxFailure* failure, std::string dsn, bool permanent, const std::filesystem::path& path,
           std::string text) {
  if (failure) *failure = {std::move(dsn), permanent};
  return Error{fmt::format("cannot update mailbox {}: {}", path.string(), text)};
}

std::string dsn_for_errno(int e) {
  if (e == ENOSPC) return "4.3.1";
  if (e == EDQUOT) return "4.2.2";
  if (e == EFBIG) return "5.2.2";
  return "4.2.0";
}

// PATH.lock as Postfix's dot_lockfile makes it: mode 0, `lock_attempts` tries
// `lock_delay` apart, removed when older than the stale age.
Result<base::Dotlock> take_dotlock(const std::filesystem::path& path, const MboxOptions& options) {
  base::DotlockOptions how;
  how.timeout = options.lock_delay * std::max(options.lock_attempts - 1, 0);
  how.first_pause = how.max_pause = options.lock_delay;
  how.stale = options.stale_lock_age;
  how.mode = 0;
  return base::Dotlock::acquire(path, how);
}

int take_fcntl_lock(int fd, const MboxOptions& options) {
  for (int attempt = 0; attempt < options.lock_attempts; ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(options.lock_delay);
    struct flock fl {};
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &fl) == 0) return 0;
    if (errno != EAGAIN && errno != EACCES && errno != EINTR) return errno;
  }
  return EAGAIN;
}

// Opens an existing regular, singly linked mailbox, or creates one (Postfix's safe_open).
int open_mailbox(const std::filesystem::path& path, const MboxOptions& options, std::string& why) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    fd =
        ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd >= 0 && options.owner_uid != static_cast<uid_t>(-1) &&
        ::fchown(fd, options.owner_uid, options.owner_gid) != 0) {
      why = fmt::format("cannot set owner: {}", std::strerror(errno));
      ::close(fd);
      ::unlink(path.c_str());
      return -1;
    }
  }
  if (fd < 0) {
    why = fmt::format("cannot open file: {}", std::strerror(errno));
    return -1;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
      (options.owner_uid != static_cast<uid_t>(-1) && st.st_uid != options.owner_uid)) {
    why = "file has wrong type, link count or owner";
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace

std::string mbox_from_line(std::string_view sender, time_t when) {
  struct tm tm {};
  localtime_r(&when, &tm);
  char date[64];
  std::strftime(date, sizeof date, "%a %b %e %H:%M:%S %Y", &tm);
  std::string who = sender.empty() ? "MAILER-DAEMON" : std::string(sender);
  for (char& c : who)
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') c = '_';
  return fmt::format("From {}  {}\n", who, date);
}

std::string format_mbox_message(std::string_view sender, std::string_view prefix_headers,
                                const MessageSource& source, time_t when) {
  std::string out = mbox_from_line(sender, when);
  out.reserve(out.size() + prefix_headers.size() + source.bytes.size() + 64);
  out += prefix_headers;
  std::string_view in = source.bytes;
  while (!in.empty()) {
    size_t nl = in.find('\n');
    std::string_view line = in.substr(0, nl);
    in.remove_prefix(nl == std::string_view::npos ? in.size() : nl + 1);
    if (line.starts_with("From ")) out += '>';  // Postfix quotes "From " only, not ">From "
    out += line;
    out += '\n';
  }
  out += '\n';
  return out;
}

Status deliver_to_mbox(const std::filesystem::path& path, std::string_view sender,
                       std::string_view prefix_headers, const MessageSource& source,
                       const MboxOptions& options, MboxFailure* failure) {
  std::string text = format_mbox_message(sender, prefix_headers, source,
                                         options.now ? options.now : time(nullptr));
  std::optional<base::Dotlock> lock;
  if (options.dotlock) {
    auto taken = take_dotlock(path, options);
    if (!taken)
      return fail(failure, "4.2.0", false, path,
                  fmt::format("unable to create lock file: {}", taken.error().message));
    lock.emplace(std::move(*taken));
  }
  auto unlock = [&] { lock.reset(); };
  std::string why;
  int fd = open_mailbox(path, options, why);
  if (fd < 0) {
    unlock();
    return fail(failure, "4.2.0", false, path, why);
  }
  if (int e = take_fcntl_lock(fd, options); e != 0) {
    ::close(fd);
    unlock();
    return fail(failure, "4.2.0", false, path,
                fmt::format("unable to lock for exclusive access: {}", std::strerror(e)));
  }
  off_t original = ::lseek(fd, 0, SEEK_END);
  Status status;
  if (original < 0) {
    status = fail(failure, "4.2.0", false, path, std::strerror(errno));
  } else if (options.size_limit &&
             static_cast<uint64_t>(original) + text.size() > options.size_limit) {
    status = fail(failure, "5.2.2", true, path, "error writing message: File too large");
  } else {
    int e = base::write_all(fd, text);
    if (e == 0) e = base::fsync_fd(fd);
    if (e != 0) {
      // Postfix's mbox rule: never leave a partial message behind.
      if (::ftruncate(fd, original) == 0) (void)::fsync(fd);
      status = fail(failure, dsn_for_errno(e), e == EFBIG, path,
                    fmt::format("error writing message: {}", std::strerror(e)));
    }
  }
  ::close(fd);  // also drops the fcntl lock
  unlock();
  return status;
}

}  // namespace correio::store
