// Maildir++ delivery (design.md §3-4), compatible with Dovecot: write the message into an
// unnamed file in new/ (O_TMPFILE; into tmp/ where the file system lacks it), fsync it,
// link it into new/ as `<unique>,S=<size>,W=<vsize>`, fsync new/, and only then report
// success. A failed delivery leaves no file in new/ and none in tmp/.
//
// Stateless apart from the process-wide name counter; safe to call from several threads
// and several processes on the same Maildir at once (names are unique, links never
// overwrite).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::store {

// The message to store: lines end in LF, as the queue holds them and Maildir files keep
// them (Dovecot's mail_save_crlf = no); written unchanged. Borrowed for the call.
struct MessageSource {
  std::string_view bytes;
};

struct MaildirOptions {
  std::string host_part;    // maildir_host_part(myhostname); empty: from gethostname()
  uint64_t size_limit = 0;  // Postfix's virtual_mailbox_limit: max bytes of one message
                            // file (prefix headers included); 0 = no limit
};

// Why a delivery failed, so the delivery agent can answer qmgr with the right DSN code:
//   4.3.1 file system full (ENOSPC), 4.2.2 mailbox full (EDQUOT),
//   5.2.2 larger than size_limit, 4.2.0 anything else (permissions, I/O errors, ...).
struct MaildirFailure {
  std::string dsn;
  bool permanent = false;  // bounce rather than defer
};

// Creates `maildir` (and missing parents) and its cur/, new/, tmp/ with mode 0700.
// Existing directories are left as they are.
Status ensure_maildir(const std::filesystem::path& maildir);

// Delivers `prefix_headers` (complete header lines ending in LF, e.g. "Return-Path: <a>\n")
// followed by `source` into `maildir`, creating it if missing. Returns the file's name in
// new/. On failure the error reads like Postfix's ("maildir delivery failed: create
// maildir file PATH: Permission denied") and `*failure`, if given, says how to report it.
Result<std::string> deliver_to_maildir(const std::filesystem::path& maildir,
                                       std::string_view prefix_headers, const MessageSource& source,
                                       const MaildirOptions& options,
                                       MaildirFailure* failure = nullptr);

}  // namespace correio::store
