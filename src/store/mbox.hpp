// UNIX mbox delivery (design.md §4), as Postfix's local(8) writes /var/mail/USER: take a
// USER.lock dotlock and an fcntl write lock, append "From SENDER  DATE", the prefix
// headers and the message with ">From " quoting and a blank line, fsync; on any failure
// cut the file back to its old size so no partial message stays. Readable by mail(1),
// mutt and Dovecot's mbox driver.
// Stateless; safe to call from several processes on one mailbox (that is what the locks
// are for). The caller chooses the identity it runs as; nothing here changes it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <ctime>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "store/maildir.hpp"

namespace correio::store {

struct MboxOptions {
  uint64_t size_limit = 0;  // mailbox_size_limit: largest mailbox after delivery; 0 = none
  bool dotlock = true;      // PATH.lock (needs write access to the directory)
  std::chrono::seconds stale_lock_age{300};    // an older PATH.lock is removed (dot_lockfile)
  int lock_attempts = 20;                      // deliver_lock_attempts
  std::chrono::milliseconds lock_delay{1000};  // deliver_lock_delay between attempts
  // A new mailbox is created mode 0600 and given this owner (root delivering to /var/mail);
  // an existing one must already belong to `owner_uid`. -1: leave ownership alone.
  uid_t owner_uid = static_cast<uid_t>(-1);
  gid_t owner_gid = static_cast<gid_t>(-1);
  time_t now = 0;  // time on the From line; 0 = the current time
};

// How to report a failed delivery: 5.2.2 over size_limit (bounce), 4.3.1 disk full,
// 4.2.2 quota, 4.2.0 anything else, including a lock that stays busy.
struct MboxFailure {
  std::string dsn;
  bool permanent = false;
};

// "From alice@example.org  Mon Jan  1 00:00:00 2024\n" (ctime(3) format, local time);
// the null sender is "MAILER-DAEMON".
std::string mbox_from_line(std::string_view sender, time_t when);

// The bytes one delivery appends: From line, `prefix_headers`, the message with LF line
// ends and ">From " quoting, and a blank line.
std::string format_mbox_message(std::string_view sender, std::string_view prefix_headers,
                                const MessageSource& source, time_t when);

// Appends one message to the mbox file `path` (created if missing). Errors read like
// Postfix's: "cannot update mailbox PATH: unable to lock for exclusive access: ...".
Status deliver_to_mbox(const std::filesystem::path& path, std::string_view sender,
                       std::string_view prefix_headers, const MessageSource& source,
                       const MboxOptions& options, MboxFailure* failure = nullptr);

}  // namespace correio::store
