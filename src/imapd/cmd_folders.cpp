// Folder commands (RFC 9051 §6.3): CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE,
// NAMESPACE, STATUS (RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ). LIST and LSUB are in
// cmd_list.cpp, the RFC 9208 QUOTA reads in cmd_quota.cpp.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "imapd/object_ids.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"
#include "imapd/status_items.hpp"

namespace correio::imapd {
namespace {

constexpr char kSep = mailbox::kHierarchySeparator;

std::string quoted_separator() {
  return std::string("\"") + kSep + "\"";
}

}  // namespace

asio::awaitable<void> Session::cmd_create(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.at_end()) {
    bad(c, "Error in IMAP command CREATE: Invalid arguments.");
    co_return;
  }
  std::string folder = *name;
  // A trailing separator only declares the intent to create children (RFC 9051 §6.3.4).
  if (!folder.empty() && folder.back() == kSep) folder.pop_back();
  if (mailbox::is_inbox(folder)) {
    no(c, "[ALREADYEXISTS] Mailbox already exists");
    co_return;
  }
  if (auto valid = mailbox::validate_folder_name(folder); !valid) {
    no(c, "[CANNOT] " + valid.error().message);
    co_return;
  }
  auto created = user_->create_folder(folder);
  if (!created) {
    auto folders = user_->list_folders();
    bool exists = false;
    if (folders) {
      for (const auto& f : *folders) exists = exists || (f.exists && f.name == folder);
    }
    no(c,
       exists ? "[ALREADYEXISTS] Mailbox already exists" : "[CANNOT] " + created.error().message);
    co_return;
  }
  // RFC 8474 §4.1: the new mailbox's MAILBOXID in the tagged OK.
  if (auto st = user_->status(folder); st && st->uid_validity != 0) {
    ok(c, "[MAILBOXID (" + mailbox_object_id(st->uid_validity) + ")] Create completed.");
    co_return;
  }
  ok(c, "Create completed.");
}

asio::awaitable<void> Session::cmd_delete(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.at_end()) {
    bad(c, "Error in IMAP command DELETE: Invalid arguments.");
    co_return;
  }
  if (mailbox::is_inbox(*name)) {
    no(c, "[CANNOT] INBOX can't be deleted.");
    co_return;
  }
  if (selected_ && selected_->box().name() == *name) {
    // Dovecot closes the selected folder when it is deleted.
    deselect();
    untagged("OK [CLOSED] Mailbox deleted.");
  }
  auto deleted = user_->delete_folder(*name);
  if (!deleted) {
    no(c, "[NONEXISTENT] " + deleted.error().message);
    co_return;
  }
  ok(c, "Delete completed.");
}

asio::awaitable<void> Session::cmd_rename(const Command& c, Parser& p) {
  auto from = p.mailbox();
  bool sp = from.has_value() && p.space();
  auto to = sp ? p.mailbox() : std::nullopt;
  if (!to || !p.at_end()) {
    bad(c, "Error in IMAP command RENAME: Invalid arguments.");
    co_return;
  }
  if (auto valid = mailbox::validate_folder_name(*to); !valid) {
    no(c, "[CANNOT] " + valid.error().message);
    co_return;
  }
  // RFC 5530 §3: NONEXISTENT for a source that is neither a folder nor a parent of one
  // (Dovecot's words); other refusals are CANNOT.
  if (!mailbox::is_inbox(*from)) {
    auto folders = user_->list_folders();
    bool known = false;
    if (folders) {
      for (const auto& f : *folders)
        known = known || f.name == *from || f.name.starts_with(*from + kSep);
    }
    if (folders && !known) {
      no(c, "[NONEXISTENT] Mailbox doesn't exist: " + *from);
      co_return;
    }
  }
  auto renamed = user_->rename_folder(*from, *to);
  if (!renamed) {
    no(c, "[CANNOT] " + renamed.error().message);
    co_return;
  }
  ok(c, "Rename completed.");
}

asio::awaitable<void> Session::cmd_subscribe(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.at_end()) {
    bad(c, "Error in IMAP command SUBSCRIBE: Invalid arguments.");
    co_return;
  }
  auto done = user_->subscribe(*name);
  if (!done) {
    no(c, done.error().message);
    co_return;
  }
  ok(c, "Subscribe completed.");
}

asio::awaitable<void> Session::cmd_unsubscribe(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.at_end()) {
    bad(c, "Error in IMAP command UNSUBSCRIBE: Invalid arguments.");
    co_return;
  }
  auto done = user_->unsubscribe(*name);
  if (!done) {
    no(c, done.error().message);
    co_return;
  }
  ok(c, "Unsubscribe completed.");
}

asio::awaitable<void> Session::cmd_namespace(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "NAMESPACE takes no arguments.");
    co_return;
  }
  untagged("NAMESPACE ((\"\" " + quoted_separator() + ")) NIL NIL");
  ok(c, "Namespace completed.");
}

asio::awaitable<void> Session::cmd_status(const Command& c, Parser& p) {
  auto name = p.mailbox();
  std::vector<std::string> items;
  bool sp = name.has_value() && p.space();
  if (!sp || !parse_status_items(p, items) || !p.at_end()) {
    bad(c, "Error in IMAP command STATUS: " +
               (p.error().empty() ? std::string("Invalid arguments.") : p.error()));
    co_return;
  }
  auto st = user_->status(*name);
  if (!st) {
    no(c, "[NONEXISTENT] Mailbox doesn't exist: " + *name);
    co_return;
  }
  if (std::find(items.begin(), items.end(), "HIGHESTMODSEQ") != items.end()) condstore_ = true;
  untagged(status_line(*name, *st, items, deleted_count(*user_, *name, items)));
  ok(c, "Status completed.");
}

}  // namespace correio::imapd
