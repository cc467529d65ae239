// Maildir++ delivery: MaildirFile (an unnamed file in new/, or tmp/) -> link into new/ ->
// fsync new/ (see maildir.hpp).
// The sequence is maildir(5)'s, with the sizes in the name as Dovecot writes them.
#include "store/maildir.hpp"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "base/file.hpp"
#include "store/maildir_file.hpp"
#include "store/maildir_name.hpp"

namespace correio::store {
namespace {

namespace fs = std::filesystem;

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
  uint64_t content_lf =
      static_cast<uint64_t>(std::count(source.bytes.begin(), source.bytes.end(), '\n'));
  uint64_t size = prefix_headers.size() + source.bytes.size();
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

  // The file is written and synced before it has a name (maildir_file.hpp); a missing
  // Maildir is created on the first failure rather than checked on every delivery.
  int e = 0;
  auto file = MaildirFile::write(maildir, "new", base, prefix_headers, source.bytes, {}, &e);
  if (!file && e == ENOENT) {
    fs::path failed_dir;
    if (int me = make_maildir(maildir, &failed_dir); me != 0)
      return fail(failure, dsn_for_errno(me), false,
                  "create maildir directory " + failed_dir.string() + ": " + errno_text(me));
    file = MaildirFile::write(maildir, "new", base, prefix_headers, source.bytes, {}, &e);
  }
  if (!file) return fail(failure, dsn_for_errno(e), false, file.error().message);
  if (e = file->link_to(target); e != 0)
    return fail(failure, dsn_for_errno(e), false,
                "link maildir file to " + target.string() + ": " + errno_text(e));
  if (e = base::fsync_directory(new_dir); e != 0) {
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
