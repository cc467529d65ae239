// Delivering one message to one virtual user's Maildir (Postfix's virtual(8) semantics with
// Correio's user_directory instead of virtual_mailbox_maps): find the user, prepend
// Return-Path/X-Original-To/Delivered-To, store it with store::deliver_to_maildir (fsync
// before success). Shared by the virtual delivery agent (from the queue) and lmtpd (from
// an LMTP client), so that both write the same files into the same store.
//
// Pure functions over their arguments; thread-safe when the UserDirectory is.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "auth/user_directory.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "delivery/protocol.hpp"
#include "delivery/virtual/mailbox_owner.hpp"

namespace correio::delivery::virtual_agent {

struct AgentSettings {
  std::filesystem::path mailbox_base;     // virtual_mailbox_base
  std::string mail_location;              // mail_location template, "" = the default
  uint64_t mailbox_limit = 51200000;      // virtual_mailbox_limit: bytes per message file, 0 = none
  bool enable_original_recipient = true;  // add X-Original-To:
  std::string recipient_delimiter;        // recipient_delimiter: "+" lets user+ext reach user
  std::string hostname;                   // myhostname, for Maildir file names
  bool soft_bounce = false;               // log would-be bounces as SOFTBOUNCE
};

AgentSettings agent_settings_from_config(const config::Config& config);

// The header lines prepended to each delivered copy, in Postfix's order (mail_copy.c):
// "Return-Path: <SENDER>", "X-Original-To: ORIGINAL" (when enabled), "Delivered-To: RCPT".
std::string prefix_headers(std::string_view sender, std::string_view recipient,
                           std::string_view original, bool with_original);

// The user who receives mail for `address`: the address itself, else (recipient_delimiter)
// "user+ext@domain" as "user@domain". nullopt: unknown; an error: the directory failed
// (temporary, never "unknown").
Result<std::optional<auth::UserRecord>> find_user(std::string_view address,
                                                  const AgentSettings& settings,
                                                  auth::UserDirectory& users);

// One message to store; the bytes are borrowed for the call.
struct MessageCopy {
  std::string_view sender;         // envelope sender, "" for <>
  std::string_view recipient;      // envelope recipient (Delivered-To:)
  std::string_view original;       // original recipient (X-Original-To:); "" = recipient
  std::string_view extra_headers;  // complete LF-terminated lines after the prefix (Received:)
  std::string_view content;        // the message
  bool crlf = false;               // content lines end in CRLF (else LF)
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
MailboxOutcome deliver_to_mailbox(const MessageCopy& message, const AgentSettings& settings,
                                  auth::UserDirectory& users, MailboxOwners* owners = nullptr);

}  // namespace correio::delivery::virtual_agent
