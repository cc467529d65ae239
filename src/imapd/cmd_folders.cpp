// Folder commands (RFC 9051 §6.3): CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST
// (with RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154 SPECIAL-USE), LSUB,
// NAMESPACE, STATUS (RFC 8438 SIZE, RFC 7162 HIGHESTMODSEQ) and the RFC 9208 QUOTA reads.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "imapd/list_pattern.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"

namespace correio::imapd {
namespace {

constexpr char kSep = mailbox::kHierarchySeparator;

std::string quoted_separator() {
  return std::string("\"") + kSep + "\"";
}

// The STATUS items of a parenthesised list; false on a syntax error or unknown item.
bool parse_status_items(Parser& p, std::vector<std::string>& items) {
  if (!p.consume('(')) return p.fail("Missing '(' before STATUS items");
  for (;;) {
    auto item = p.atom();
    if (!item) return false;
    std::string u = upper(*item);
    static const std::set<std::string> known = {"MESSAGES",      "RECENT", "UIDNEXT",
                                                "UIDVALIDITY",   "UNSEEN", "SIZE",
                                                "HIGHESTMODSEQ", "DELETED"};
    if (!known.contains(u)) return p.fail("Unknown STATUS item " + u);
    items.push_back(u);
    if (p.consume(')')) return true;
    if (!p.space()) return false;
  }
}

// "STATUS name (ITEM value ...)" for the requested items, in the client's order.
std::string status_line(const std::string& name, const mailbox::FolderStatus& st,
                        const std::vector<std::string>& items, uint32_t deleted) {
  std::string s = "STATUS ";
  append_astring(s, name);
  s += " (";
  bool first = true;
  for (const auto& item : items) {
    if (!first) s += ' ';
    first = false;
    if (item == "MESSAGES") s += fmt::format("MESSAGES {}", st.messages);
    if (item == "RECENT") s += fmt::format("RECENT {}", st.recent);
    if (item == "UIDNEXT") s += fmt::format("UIDNEXT {}", st.uid_next);
    if (item == "UIDVALIDITY") s += fmt::format("UIDVALIDITY {}", st.uid_validity);
    if (item == "UNSEEN") s += fmt::format("UNSEEN {}", st.unseen);
    if (item == "SIZE") s += fmt::format("SIZE {}", st.vsize);
    if (item == "HIGHESTMODSEQ") s += fmt::format("HIGHESTMODSEQ {}", st.highest_modseq);
    if (item == "DELETED") s += fmt::format("DELETED {}", deleted);
  }
  s += ')';
  return s;
}

// The number of \Deleted messages, which the index does not count: only when asked for.
uint32_t deleted_count(mailbox::MailUser& user, const std::string& name,
                       const std::vector<std::string>& items) {
  if (std::find(items.begin(), items.end(), "DELETED") == items.end()) return 0;
  uint32_t deleted = 0;
  if (auto box = user.open_mailbox(name, true)) {
    if ((*box)->sync()) {
      for (const auto& m : (*box)->messages()) deleted += m.flags.has(mailbox::kDeleted);
    }
  }
  return deleted;
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

asio::awaitable<void> Session::cmd_list(const Command& c, Parser& p) {
  // LIST [(selection options)] reference (pattern | (patterns)) [RETURN (options)]
  bool sel_subscribed = false, sel_special_use = false, recursive = false;
  bool ret_subscribed = false, ret_children = true, ret_special_use = true;
  std::vector<std::string> status_items;
  bool extended = false;
  if (p.consume('(')) {
    extended = true;
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        bad(c, "Invalid LIST selection options.");
        co_return;
      }
      std::string u = upper(*opt);
      if (u == "SUBSCRIBED") {
        sel_subscribed = true;
        ret_subscribed = true;
      } else if (u == "SPECIAL-USE") {
        sel_special_use = true;
      } else if (u == "RECURSIVEMATCH") {
        recursive = true;
      } else if (u != "REMOTE") {
        bad(c, "Unknown LIST selection option " + u);
        co_return;
      }
      p.consume(' ');
    }
    if (recursive && !sel_subscribed) {
      bad(c, "RECURSIVEMATCH needs another selection option.");
      co_return;
    }
    if (!p.space()) {
      bad(c, "Invalid LIST arguments.");
      co_return;
    }
  }
  auto reference = p.mailbox();
  if (!reference || !p.space()) {
    bad(c, "Error in IMAP command LIST: Invalid arguments.");
    co_return;
  }
  std::vector<std::string> patterns;
  if (p.consume('(')) {
    extended = true;
    for (;;) {
      auto pat = p.list_mailbox();
      if (!pat) {
        bad(c, "Invalid LIST patterns.");
        co_return;
      }
      patterns.push_back(*pat);
      if (p.consume(')')) break;
      if (!p.space()) {
        bad(c, "Invalid LIST patterns.");
        co_return;
      }
    }
  } else {
    auto pat = p.list_mailbox();
    if (!pat) {
      bad(c, "Error in IMAP command LIST: Invalid pattern.");
      co_return;
    }
    patterns.push_back(*pat);
  }
  if (p.consume(' ')) {
    if (!p.consume_word("RETURN") || !p.space() || !p.consume('(')) {
      bad(c, "Invalid LIST return options.");
      co_return;
    }
    while (!p.consume(')')) {
      auto opt = p.atom();
      if (!opt) {
        bad(c, "Invalid LIST return options.");
        co_return;
      }
      std::string u = upper(*opt);
      if (u == "SUBSCRIBED") {
        ret_subscribed = true;
      } else if (u == "CHILDREN") {
        ret_children = true;
      } else if (u == "SPECIAL-USE") {
        ret_special_use = true;
      } else if (u == "STATUS") {
        if (!p.space() || !parse_status_items(p, status_items)) {
          bad(c, "Invalid LIST STATUS items.");
          co_return;
        }
      } else {
        bad(c, "Unknown LIST return option " + u);
        co_return;
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) {
    bad(c, "Error in IMAP command LIST: Extra arguments.");
    co_return;
  }
  (void)extended;
  // LIST "" "": the hierarchy delimiter and root (RFC 9051 §6.3.9).
  if (patterns.size() == 1 && patterns[0].empty()) {
    untagged("LIST (\\Noselect) " + quoted_separator() + " \"\"");
    ok(c, "List completed.");
    co_return;
  }
  auto folders = user_->list_folders();
  if (!folders) {
    no(c, "[SERVERBUG] " + folders.error().message);
    co_return;
  }
  std::set<std::string> subscribed;
  if (ret_subscribed || sel_subscribed) {
    if (auto subs = user_->subscriptions()) subscribed.insert(subs->begin(), subs->end());
  }
  std::vector<std::pair<std::string, std::string>> statuses;
  for (const auto& f : *folders) {
    bool matched = false;
    for (const auto& pat : patterns) {
      matched = matched || list_pattern_matches(*reference + pat, f.name, kSep);
    }
    if (!matched) continue;
    bool is_subscribed = subscribed.contains(f.name);
    if (sel_subscribed && !is_subscribed) continue;
    if (sel_special_use && f.special_use.empty()) continue;
    std::string attrs;
    auto add = [&](std::string_view a) {
      if (!attrs.empty()) attrs += ' ';
      attrs += a;
    };
    if (!f.exists) add("\\NonExistent");
    if (ret_children || !extended) add(f.has_children ? "\\HasChildren" : "\\HasNoChildren");
    if (ret_subscribed && is_subscribed) add("\\Subscribed");
    if (ret_special_use && !f.special_use.empty()) add(f.special_use);
    std::string line = "LIST (" + attrs + ") " + quoted_separator() + " ";
    append_astring(line, f.name);
    untagged(line);
    if (!status_items.empty() && f.exists) {
      auto st = user_->status(f.name);
      if (st)
        untagged(
            status_line(f.name, *st, status_items, deleted_count(*user_, f.name, status_items)));
    }
  }
  ok(c, "List completed.");
}

asio::awaitable<void> Session::cmd_lsub(const Command& c, Parser& p) {
  auto reference = p.mailbox();
  bool sp = reference.has_value() && p.space();
  auto pattern = sp ? p.list_mailbox() : std::nullopt;
  if (!pattern || !p.at_end()) {
    bad(c, "Error in IMAP command LSUB: Invalid arguments.");
    co_return;
  }
  auto subs = user_->subscriptions();
  if (!subs) {
    no(c, "[SERVERBUG] " + subs.error().message);
    co_return;
  }
  for (const auto& name : *subs) {
    if (!list_pattern_matches(*reference + *pattern, name, kSep)) continue;
    std::string line = "LSUB () " + quoted_separator() + " ";
    append_astring(line, name);
    untagged(line);
  }
  ok(c, "Lsub completed.");
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

namespace {

// The user's storage in use, in KiB, summed over every folder (RFC 9208 STORAGE).
uint64_t storage_used_kib(mailbox::MailUser& user) {
  uint64_t bytes = 0;
  if (auto folders = user.list_folders()) {
    for (const auto& f : *folders) {
      if (!f.exists) continue;
      if (auto st = user.status(f.name)) bytes += st->vsize;
    }
  }
  return (bytes + 1023) / 1024;
}

}  // namespace

asio::awaitable<void> Session::cmd_getquotaroot(const Command& c, Parser& p) {
  auto name = p.mailbox();
  if (!name || !p.at_end()) {
    bad(c, "Error in IMAP command GETQUOTAROOT: Invalid arguments.");
    co_return;
  }
  std::string line = "QUOTAROOT ";
  append_astring(line, *name);
  if (quota_bytes_ == 0) {
    untagged(line);
    ok(c, "Getquotaroot completed.");
    co_return;
  }
  untagged(line + " \"User quota\"");
  untagged(fmt::format("QUOTA \"User quota\" (STORAGE {} {})", storage_used_kib(*user_),
                       quota_bytes_ / 1024));
  ok(c, "Getquotaroot completed.");
}

asio::awaitable<void> Session::cmd_getquota(const Command& c, Parser& p) {
  auto root = p.astring();
  if (!root || !p.at_end()) {
    bad(c, "Error in IMAP command GETQUOTA: Invalid arguments.");
    co_return;
  }
  if (quota_bytes_ == 0 || *root != "User quota") {
    no(c, "[NONEXISTENT] Quota root doesn't exist.");
    co_return;
  }
  untagged(fmt::format("QUOTA \"User quota\" (STORAGE {} {})", storage_used_kib(*user_),
                       quota_bytes_ / 1024));
  ok(c, "Getquota completed.");
}

}  // namespace correio::imapd
