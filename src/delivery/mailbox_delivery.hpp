// Delivering one message to one virtual user's mailbox (Postfix's virtual(8) semantics):
// find the mailbox — in virtual_mailbox_maps when it is set, else the user's Maildir from
// Correio's user_directory — prepend
// Return-Path/X-Original-To/Delivered-To, store it with store::deliver_to_maildir (fsync
// before success). Shared by the virtual delivery agent (from the queue) and lmtpd (from
// an LMTP client), so that both write the same files into the same store.
//
// Pure functions over their arguments; thread-safe when the UserDirectory is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "auth/user_directory.hpp"
#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "delivery/log_line.hpp"
#include "delivery/mail_copy.hpp"
#include "delivery/mailbox_owner.hpp"
#include "delivery/protocol.hpp"
#include "delivery/virtual_mailboxes.hpp"

namespace correio::delivery {

struct MailboxSettings {
  std::filesystem::path mailbox_base;     // virtual_mailbox_base
  std::string mail_location;              // mail_location template, "" = the default
  uint64_t mailbox_limit = 51200000;      // virtual_mailbox_limit: bytes per message file, 0 = none
  bool enable_original_recipient = true;  // add X-Original-To:
  std::string recipient_delimiter;        // recipient_delimiter: "+" lets user+ext reach user
  std::string hostname;                   // myhostname, for Maildir file names
  bool soft_bounce = false;               // log would-be bounces as SOFTBOUNCE
  // The user's quota (userdb_quota_rule, store/maildir_quota.hpp): how far the last
  // message may go over it (quota_grace, percent), whether a full mailbox defers
  // (quota_full_tempfail: 4.2.2) or bounces (5.2.2), and the text.
  unsigned quota_grace_percent = 10;
  bool quota_full_tempfail = true;
  std::string quota_exceeded_message = "Quota exceeded (mailbox for user is full)";
};

MailboxSettings mailbox_settings_from_config(const config::Config& config);

// The user who receives mail for `address`: the address itself, else (recipient_delimiter)
// "user+ext@domain" as "user@domain". nullopt: unknown; an error: the directory failed
// (temporary, never "unknown").
Result<std::optional<auth::UserRecord>> find_user(std::string_view address,
                                                  const MailboxSettings& settings,
                                                  auth::UserDirectory& users);

// One message to store; the bytes are borrowed for the call.
struct MessageCopy {
  std::string_view sender;         // envelope sender, "" for <>
  std::string_view recipient;      // envelope recipient (Delivered-To:)
  std::string_view original;       // original recipient (X-Original-To:); "" = recipient
  std::string_view extra_headers;  // complete LF-terminated lines after the prefix (Received:)
  std::string_view content;        // the message, LF line ends (as the queue holds it)
};

struct MailboxOutcome {
  DeliveryStatus status = DeliveryStatus::deferred;
  std::string dsn;   // "2.0.0", "5.1.1", "5.2.2", "4.3.1", ...
  std::string text;  // "delivered to maildir", or why not
  std::string file;  // the file's name in new/ when sent
};

// Delivers one copy:
//   sent      2.0.0 delivered to maildir
//   bounced   5.1.1 unknown user: "addr";  5.2.2 message file too big
//   deferred  4.3.0 user directory failure; 4.3.5 bad mailbox path; 4.2.x/4.3.1 write failures
//   deferred  4.3.0 mail system configuration error (virtual_uid_maps/virtual_gid_maps)
// With `owners` configured (virtual_uid_maps/virtual_gid_maps, looked up with the envelope
// recipient), the files are written as the owner they name: as root, the calling thread's
// file-system identity is switched for the write (fs_identity.hpp); otherwise only the
// process's own uid can be used and any other owner defers. Without, the files belong to
// whoever runs the caller.
MailboxOutcome deliver_to_mailbox(const MessageCopy& message, const MailboxSettings& settings,
                                  auth::UserDirectory& users, MailboxOwners* owners = nullptr);

// The same with virtual_mailbox_maps naming the mailbox: a Maildir, or an mbox file
// ("delivered to mailbox", fcntl-locked, virtual_mailbox_limit as its largest size).
// Unknown: bounced 5.1.1; a table failure or an unusable result: deferred 4.3.0.
MailboxOutcome deliver_to_mailbox(const MessageCopy& message, const MailboxSettings& settings,
                                  VirtualMailboxes& table, MailboxOwners* owners = nullptr);

// Where deliver_and_log() finds mailboxes: `table` when set, else `users`. Not owned.
struct MailboxFinder {
  auth::UserDirectory* users = nullptr;
  VirtualMailboxes* table = nullptr;
  MailboxOwners* owners = nullptr;
};

// One recipient of deliver_and_log(); the strings are borrowed for the call.
struct MailboxRecipient {
  std::string_view address;
  std::string_view original;       // X-Original-To: and the log's orig_to=; "" = address
  std::string_view extra_headers;  // this copy's lines after the prefix (lmtpd's Received:)
};

// One message for several recipients, and how their log lines read.
struct MailboxJob {
  std::string_view queue_id;
  std::string_view sender;
  std::string_view content;
  std::string_view relay;  // relay= in the log: "virtual", "lmtpd"
  DeliveryTimes times;     // done_us is taken per recipient
  // A delivered copy is logged as Dovecot's lmtp does, "saved mail to INBOX: FILE",
  // rather than Postfix's "delivered to maildir".
  bool log_saved_file = false;
  bool soft_bounce = false;  // soft_bounce: a would-be bounce is logged as SOFTBOUNCE
};

// The per-recipient loop of the virtual agent and lmtpd: delivers `job` to each recipient
// in turn (deliver_to_mailbox), writes Postfix's log line for each as it is done, then the
// user directory's warnings. Returns the outcomes in recipient order. Runs on the calling
// thread; the same thread-safety as deliver_to_mailbox.
std::vector<MailboxOutcome> deliver_and_log(const MailboxJob& job,
                                            std::span<const MailboxRecipient> recipients,
                                            const MailboxSettings& settings,
                                            auth::UserDirectory& users, MailboxOwners* owners,
                                            base::Logger& log);
std::vector<MailboxOutcome> deliver_and_log(const MailboxJob& job,
                                            std::span<const MailboxRecipient> recipients,
                                            const MailboxSettings& settings,
                                            const MailboxFinder& finder, base::Logger& log);

// Logs `outcome` for every recipient without delivering: the message could not be read.
std::vector<MailboxOutcome> log_undeliverable(const MailboxJob& job,
                                              std::span<const MailboxRecipient> recipients,
                                              const MailboxOutcome& outcome, base::Logger& log);

}  // namespace correio::delivery
