// Maildir++ delivery: an unnamed file in new/ (or tmp/) -> fsync -> link into new/ -> fsync
// new/ (see maildir.hpp).
// The sequence is maildir(5)'s, with the sizes in the name as Dovecot writes them.
#include "store/maildir.hpp"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/file.hpp"
#include "store/maildir_name.hpp"

namespace correio::store {
namespace {

namespace fs = std::filesystem;

constexpr size_t kWriteBuffer = 64 * 1024;

std::string errno_text(int e) {
  return std::strerror(e);
}

// mbox_dsn() in Postfix: the DSN code that goes with a failed write.
std::string dsn_for_errno(int e) {
  if (e == ENOSPC) return "4.3.1";
  if (e == EDQUOT) return "4.2.2";
  return "4.2.0";
}

Error fail(MaildirFailure* failure, std::string dsn, bool permanent, std::string text) {
  if (failure) *failure = {std::move(dsn), permanent};
  return Error{"maildir delivery failed: " + std::move(text)};
}

// mkdir -p with mode 0700; EEXIST is fine when the thing there is a directory.
int make_dirs(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return 0;
  int e = errno;
  if (e == ENOENT && dir.has_parent_path() && dir.parent_path() != dir) {
    if (int pe = make_dirs(dir.parent_path()); pe != 0) return pe;
    if (::mkdir(dir.c_str(), 0700) == 0) return 0;
    e = errno;
  }
  if (e == EEXIST) {
    struct stat st {};
    if (::stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return 0;
    return ENOTDIR;
  }
  return e;
}

using base::write_all;

// Writes the message, turning CRLF into LF when asked, through a bounded buffer.
int write_message(int fd, std::string_view prefix, const MessageSource& source) {
  if (int e = write_all(fd, prefix); e != 0) return e;
  if (!source.crlf) return write_all(fd, source.bytes);
  std::string buffer;
  buffer.reserve(kWriteBuffer);
  std::string_view in = source.bytes;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' && i + 1 < in.size() && in[i + 1] == '\n') continue;
    buffer.push_back(in[i]);
    if (buffer.size() >= kWriteBuffer) {
      if (int e = write_all(fd, buffer); e != 0) return e;
      buffer.clear();
    }
  }
  return write_all(fd, buffer);
}

std::string local_host_part() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return maildir_host_part(name);
}

// Creates cur/ new/ tmp/; on failure returns the errno and sets `*failed` to the directory.
int make_maildir(const fs::path& maildir, fs::path* failed) {
  for (const char* sub : {"cur", "new", "tmp"}) {
    fs::path dir = maildir / sub;
    if (int e = make_dirs(dir); e != 0) {
      *failed = dir;
      return e;
    }
  }
  return 0;
}

// maildir(5)'s way, for file systems without O_TMPFILE (or without /proc): write into
// tmp/, fsync, link into new/ as `target` (never replacing a file), remove the tmp/ name.
Status deliver_via_tmp(const fs::path& maildir, const std::string& base, const fs::path& target,
                       std::string_view prefix_headers, const MessageSource& source,
                       MaildirFailure* failure) {
  fs::path failed_dir;
  if (int e = make_maildir(maildir, &failed_dir); e != 0)
    return fail(failure, dsn_for_errno(e), false,
                "create maildir directory " + failed_dir.string() + ": " + errno_text(e));
  fs::path tmp = maildir / "tmp" / base;
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    int e = errno;
    return fail(failure, dsn_for_errno(e), false,
                "create maildir file " + tmp.string() + ": " + errno_text(e));
  }
  int e = write_message(fd, prefix_headers, source);
  if (e == 0) e = base::fsync_fd(fd);
  if (::close(fd) != 0 && e == 0) e = errno;  // NFS reports write errors at close
  if (e != 0) {
    ::unlink(tmp.c_str());
    return fail(failure, dsn_for_errno(e), false,
                "write maildir file " + tmp.string() + ": " + errno_text(e));
  }
  // link() rather than rename(): it never replaces an existing file (maildir(5)).
  if (::link(tmp.c_str(), target.c_str()) != 0) {
    e = errno;
    ::unlink(tmp.c_str());
    return fail(
        failure, dsn_for_errno(e), false,
        "link maildir file " + tmp.string() + " to " + target.string() + ": " + errno_text(e));
  }
  ::unlink(tmp.c_str());
  return {};
}

}  // namespace

Status ensure_maildir(const fs::path& maildir) {
  fs::path failed;
  if (int e = make_maildir(maildir, &failed); e != 0)
    return Error{"create maildir directory " + failed.string() + ": " + errno_text(e)};
  return {};
}

Result<std::string> deliver_to_maildir(const fs::path& maildir, std::string_view prefix_headers,
                                       const MessageSource& source, const MaildirOptions& options,
                                       MaildirFailure* failure) {
  // The sizes are known before the first byte is written: S= counts the bytes in the
  // file, W= adds one CR per LF.
  uint64_t crlf_pairs = 0;
  uint64_t content_lf =
      static_cast<uint64_t>(std::count(source.bytes.begin(), source.bytes.end(), '\n'));
  if (source.crlf) {
    for (size_t i = 0; i + 1 < source.bytes.size(); ++i)
      if (source.bytes[i] == '\r' && source.bytes[i + 1] == '\n') ++crlf_pairs;
  }
  uint64_t size = prefix_headers.size() + source.bytes.size() - crlf_pairs;
  uint64_t lines =
      static_cast<uint64_t>(std::count(prefix_headers.begin(), prefix_headers.end(), '\n')) +
      content_lf;
  if (options.size_limit > 0 && size > options.size_limit)
    return fail(failure, "5.2.2", true, "message file too big");

  std::string host = options.host_part.empty() ? local_host_part() : options.host_part;
  std::string base = maildir_unique_name(host);
  std::string name = maildir_sized_name(base, size, size + lines);
  fs::path new_dir = maildir / "new";
  fs::path target = new_dir / name;

  // An unnamed file in new/, linked under its final name once written and synced: the same
  // all-or-nothing appearance as tmp/ + link, without creating and removing a tmp/ entry
  // (and syncing tmp/) per message. File systems without O_TMPFILE take tmp/.
  int fd = ::open(new_dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT) {
    fs::path failed_dir;
    if (int e = make_maildir(maildir, &failed_dir); e != 0)
      return fail(failure, dsn_for_errno(e), false,
                  "create maildir directory " + failed_dir.string() + ": " + errno_text(e));
    fd = ::open(new_dir.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  }
  bool linked = false;
  if (fd >= 0) {
    int e = write_message(fd, prefix_headers, source);
    if (e == 0) e = base::fsync_fd(fd);
    if (e != 0) {
      ::close(fd);
      return fail(failure, dsn_for_errno(e), false,
                  "write maildir file in " + new_dir.string() + ": " + errno_text(e));
    }
    // linkat(AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH; the /proc name does not.
    std::string self = "/proc/self/fd/" + std::to_string(fd);
    if (::linkat(AT_FDCWD, self.c_str(), AT_FDCWD, target.c_str(), AT_SYMLINK_FOLLOW) == 0) {
      linked = true;
    } else if (e = errno; e != ENOENT || ::access("/proc/self/fd", X_OK) == 0) {
      ::close(fd);
      return fail(failure, dsn_for_errno(e), false,
                  "link maildir file to " + target.string() + ": " + errno_text(e));
    }
    if (::close(fd) != 0 && linked) {  // NFS reports write errors at close
      e = errno;
      ::unlink(target.c_str());
      return fail(failure, dsn_for_errno(e), false,
                  "write maildir file " + target.string() + ": " + errno_text(e));
    }
  }
  if (!linked) {
    if (auto linked_via_tmp =
            deliver_via_tmp(maildir, base, target, prefix_headers, source, failure);
        !linked_via_tmp)
      return linked_via_tmp.error();
  }
  if (int e = base::fsync_directory(new_dir); e != 0) {
    // Not durable, so not delivered: remove it, qmgr will retry (a duplicate is better
    // than a message acknowledged and then lost).
    ::unlink(target.c_str());
    return fail(failure, dsn_for_errno(e), false,
                "sync maildir directory " + new_dir.string() + ": " + errno_text(e));
  }
  if (failure) *failure = {};
  return name;
}

}  // namespace correio::store
