// The POP3 maildrop (RFC 1939 §3, §6): a snapshot of the user's INBOX taken at login —
// message numbers 1..n in UID order, sizes with CRLF line ends, Dovecot's UIDLs — plus the
// session's deletion marks, applied only in the UPDATE state (QUIT). Messages retrieved
// (RETR) are flagged \Seen when the session ends, as Dovecot does.
//
// Holds an exclusive lock on the Maildir while open (Dovecot's pop3_lock_session), so a
// second POP3 session of the same user is refused with [IN-USE]; IMAP and deliveries are
// not blocked. Owned by one session; not thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::pop3d {

class Maildrop {
 public:
  struct Options {
    bool lock_session = true;  // pop3d_lock_session
    std::string host_part;     // for file names the store creates
  };
  // Why open() failed, for the reply: in_use -> -ERR [IN-USE], else -ERR [SYS/TEMP].
  enum class Failure { none, in_use, error };

  static Result<std::unique_ptr<Maildrop>> open(const std::filesystem::path& maildir,
                                                const Options& options, Failure* failure);
  ~Maildrop();
  Maildrop(const Maildrop&) = delete;
  Maildrop& operator=(const Maildrop&) = delete;

  struct Message {
    uint32_t uid = 0;
    uint64_t size = 0;  // octets with CRLF line ends (RFC 1939 LIST/STAT)
    bool deleted = false;
    bool retrieved = false;
  };

  // Messages 1..count() (index = number - 1), deleted ones included.
  uint32_t count() const { return static_cast<uint32_t>(messages_.size()); }
  // The message numbered `number`, or nullptr when out of range.
  Message* find(uint32_t number);
  // STAT: messages not marked deleted, and their total size.
  uint32_t live_count() const;
  uint64_t live_size() const;

  // Dovecot's default pop3_uidl_format %08Xu%08Xv: UID and UIDVALIDITY, 8 hex digits each,
  // in lower case as Dovecot's %X writes them (checked against Dovecot 2.3's pop3).
  std::string uidl(const Message& message) const;

  // The message's stored bytes (LF line ends).
  Result<std::string> read(const Message& message);

  // RSET: every deletion mark is removed.
  void undelete_all();

  // Ends the session: \Seen for retrieved messages; with `update` (QUIT in the
  // TRANSACTION state) also removes the messages marked deleted. Returns how many were
  // removed. Call at most once.
  Result<size_t> finish(bool update);

 private:
  Maildrop() = default;
  int lock_fd_ = -1;
  std::unique_ptr<mailbox::Mailbox> inbox_;
  std::vector<Message> messages_;
  uint32_t uid_validity_ = 0;
};

}  // namespace correio::pop3d
