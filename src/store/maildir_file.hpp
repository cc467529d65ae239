// The one Maildir writer: a message file written and fsynced before it has a name, then
// linked under its final name in new/ or cur/ (maildir(5): it appears complete or not at
// all, and a link never replaces a file). Used by delivery (deliver_to_maildir) and by the
// mailbox store (IMAP APPEND, COPY across file systems).
//
// The file is unnamed (O_TMPFILE in the target directory): no tmp/ entry is created,
// synced and removed per message, and a crash before link() leaves nothing behind. Where
// the file system lacks O_TMPFILE (or /proc is not mounted) it is maildir(5)'s tmp/ file.
// The caller syncs the target directory after link(); a file is owned by one thread.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "base/file.hpp"
#include "base/result.hpp"

namespace correio::store {

class MaildirFile {
 public:
  // Writes `prefix` then `bytes` into a new file for `dir` (new/ or cur/ of `maildir`),
  // fsyncs it, and, with `mtime`, sets its modification time (IMAP's internal date).
  // `unique` is the file's maildir_unique_name(), the tmp/ name when O_TMPFILE is missing.
  // On failure the error names what failed and `*err` (if given) holds the errno: ENOENT
  // when the Maildir's directories are missing (ensure_maildir() creates them).
  static Result<MaildirFile> write(const std::filesystem::path& maildir, std::string_view dir,
                                   const std::string& unique, std::string_view prefix,
                                   std::string_view bytes, std::optional<time_t> mtime = {},
                                   int* err = nullptr);

  MaildirFile(MaildirFile&& other) noexcept;
  MaildirFile& operator=(MaildirFile&& other) noexcept;
  ~MaildirFile();  // an unlinked file disappears; a tmp/ file is removed

  // Gives the file its name: `target` must not exist. Returns 0 or the errno. Once linked,
  // further calls fail with EEXIST.
  [[nodiscard]] int link_to(const std::filesystem::path& target);

 private:
  MaildirFile(base::Fd fd, std::filesystem::path tmp) : fd_(std::move(fd)), tmp_(std::move(tmp)) {}
  base::Fd fd_;                // the unnamed file (O_TMPFILE); invalid for a tmp/ file
  std::filesystem::path tmp_;  // the tmp/ file; empty for an unnamed one
  bool linked_ = false;
};

}  // namespace correio::store
