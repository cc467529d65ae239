// NOTIFY (RFC 5465), the session's side: NOTIFY SET/NONE, and the report of mailbox
// changes — untagged STATUS for other mailboxes' new and expunged messages (and UNSEEN
// with FlagChange), LIST for created/deleted/renamed folders and subscription changes,
// METADATA for changed entries, FETCH for the selected mailbox's new messages — and the
// directories the folder watcher must watch for them. When the reports go out (between
// commands, IDLE) is notify_wait.cpp's concern.
#include <fmt/format.h>
#include <sys/stat.h>

#include <ctime>
#include <functional>

#include "imapd/fetch_plan.hpp"
#include "imapd/notify_args.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"
#include "imapd/status_items.hpp"

namespace correio::imapd {
namespace {

bool any_filter(const NotifySpec& spec, unsigned event, const std::string& name,
                const std::set<std::string>& subscribed) {
  for (const auto& f : spec.filters) {
    if ((f.events & event) && notify_covers(f, name, subscribed)) return true;
  }
  return false;
}

std::vector<std::string> status_items(const NotifySpec& spec, const std::string& name,
                                      const std::set<std::string>& subscribed) {
  // RFC 5465 §5.2–§5.4: MESSAGES and UIDNEXT tell new and expunged messages, UIDVALIDITY a
  // recreated mailbox; UNSEEN flag changes.
  std::vector<std::string> items = {"MESSAGES", "UIDNEXT", "UIDVALIDITY"};
  if (any_filter(spec, kFlagChange, name, subscribed)) items.push_back("UNSEEN");
  return items;
}

// new/ and cur/ modification times in ns since the epoch; {0, 0} when unreadable.
std::pair<int64_t, int64_t> folder_stamps(const std::filesystem::path& dir) {
  auto stamp = [](const std::filesystem::path& p) -> int64_t {
    struct stat st {};
    if (::stat(p.c_str(), &st) != 0) return 0;
    return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  };
  return {stamp(dir / "new"), stamp(dir / "cur")};
}

// A directory's (mtime ns, inode change ns); {0, 0} when it cannot be read. A folder's
// METADATA file is replaced by rename inside the folder's directory (the server's inside
// the Maildir root), which moves both.
std::pair<int64_t, int64_t> dir_stamp(const std::filesystem::path& dir) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return {0, 0};
  return {static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec,
          static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec};
}

bool same(const mailbox::FolderStatus& a, const mailbox::FolderStatus& b, bool unseen) {
  return a.messages == b.messages && a.uid_next == b.uid_next && a.uid_validity == b.uid_validity &&
         (!unseen || a.unseen == b.unseen);
}

}  // namespace

asio::awaitable<void> Session::cmd_notify(const Command& c, Parser& p) {
  NotifyParse parsed = parse_notify(p);
  if (!parsed.error.empty()) {
    bad(c, "Error in IMAP command NOTIFY: " + parsed.error + ".");
    co_return;
  }
  if (!parsed.bad_event.empty()) {
    no(c,
       fmt::format("[BADEVENT {}] Unsupported event {}", kSupportedNotifyEvents, parsed.bad_event));
    co_return;
  }
  if (parsed.none) {
    notify_.reset();
    ok(c, "NOTIFY completed.");
    co_return;
  }
  notify_.emplace();
  notify_->spec = std::move(*parsed.spec);
  notify_overflowed_ = false;
  // The starting point: only later changes are reported, except SET STATUS (RFC 5465 §3).
  report_notifications(true);
  ok(c, "NOTIFY completed.");
}

void Session::report_notifications(bool initial) {
  if (!notify_ || !user_) return;
  NotifyState& n = *notify_;
  auto listed = user_->list_folders();
  auto subscribed = user_->subscriptions();
  if (!listed || !subscribed) return;  // tried again at the next report
  std::set<std::string> folders, subs(subscribed->begin(), subscribed->end());
  for (const auto& f : *listed) {
    if (f.exists) folders.insert(f.name);
  }
  std::string sep = fmt::format("\"{}\"", mailbox::kHierarchySeparator);
  auto list_line = [&](std::string_view attributes, const std::string& name) {
    std::string line = fmt::format("LIST ({}) {} ", attributes, sep);
    append_astring(line, name);
    untagged(line);
  };
  if (!initial) {
    // RFC 5465 §5.4 MailboxName: a new name is LIST, a name gone is LIST (\NonExistent);
    // a RENAME shows as both.
    for (const auto& name : n.folders) {
      if (!folders.contains(name) && any_filter(n.spec, kMailboxName, name, n.subscriptions))
        list_line("\\NonExistent", name);
    }
    for (const auto& name : folders) {
      if (!n.folders.contains(name) && any_filter(n.spec, kMailboxName, name, subs))
        list_line("", name);
    }
    // RFC 5465 §5.5 SubscriptionChange.
    for (const auto& name : subs) {
      if (!n.subscriptions.contains(name) && any_filter(n.spec, kSubscriptionChange, name, subs))
        list_line("\\Subscribed", name);
    }
    for (const auto& name : n.subscriptions) {
      if (!subs.contains(name) && any_filter(n.spec, kSubscriptionChange, name, n.subscriptions))
        list_line("", name);
    }
  }
  report_metadata_changes(folders, subs, initial);
  std::string selected_name = selected_ ? selected_->box().name() : std::string();
  std::map<std::string, mailbox::FolderStatus> now;
  std::map<std::string, std::pair<int64_t, int64_t>> stamps;
  const int64_t recent = (static_cast<int64_t>(std::time(nullptr)) - 2) * 1000000000;
  for (const auto& name : folders) {
    if (name == selected_name || !any_filter(n.spec, kMessageNew, name, subs)) continue;
    auto dir = user_->folder_path(name);
    if (!dir) continue;
    auto stamp = folder_stamps(*dir);
    auto kept = n.stamps.find(name);
    auto last = n.status.find(name);
    if (kept != n.stamps.end() && last != n.status.end() && kept->second == stamp &&
        std::max(stamp.first, stamp.second) < recent) {
      now[name] = last->second;  // unchanged since the last STATUS: no index read
      stamps[name] = stamp;
      continue;
    }
    auto st = user_->status(name);
    if (!st) continue;
    now[name] = *st;
    stamps[name] = stamp;
    auto items = status_items(n.spec, name, subs);
    auto before = n.status.find(name);
    bool changed =
        before == n.status.end() ? !initial : !same(before->second, *st, items.size() > 3);
    if (changed || (initial && n.spec.status)) untagged(status_line(name, *st, items, 0));
  }
  n.status = std::move(now);
  n.stamps = std::move(stamps);
  n.folders = std::move(folders);
  n.subscriptions = std::move(subs);
}

bool Session::notify_wants(unsigned event, const std::string& name,
                           const std::set<std::string>& subscribed) const {
  if (!notify_) return false;
  if (any_filter(notify_->spec, event, name, subscribed)) return true;
  // RFC 5465 §6: SELECTED and SELECTED-DELAYED name the selected mailbox.
  const NotifyFilter* f = notify_selected_filter(notify_->spec);
  return f != nullptr && (f->events & event) && selected_ && selected_->box().name() == name;
}

void Session::report_metadata_changes(const std::set<std::string>& folders,
                                      const std::set<std::string>& subs, bool initial) {
  NotifyState& n = *notify_;
  std::map<std::string, NotifyState::MetadataSeen> seen;
  auto look = [&](const std::string& name) {
    auto dir =
        name.empty() ? Result<std::filesystem::path>(user_->root()) : user_->folder_path(name);
    if (!dir) return;
    auto stamp = dir_stamp(*dir);
    NotifyState::MetadataSeen& now = seen[name];
    auto before = n.metadata.find(name);
    // Unchanged directory, not within the last two seconds (coarse clocks): not read again.
    const int64_t recent = (static_cast<int64_t>(std::time(nullptr)) - 2) * 1000000000;
    if (before != n.metadata.end() && before->second.stamp == stamp && stamp.first < recent) {
      now = std::move(before->second);  // unchanged file: not read again
      return;
    }
    auto entries = user_->metadata(name);
    if (!entries) {
      if (before != n.metadata.end()) now = std::move(before->second);  // next report
      return;
    }
    now.stamp = stamp;
    for (const auto& [entry, value] : *entries)
      now.entries[entry] = std::hash<std::string>{}(value);
    if (initial || before == n.metadata.end()) return;
    // RFC 5464 §4.4.2: unsolicited METADATA names the entries whose values changed
    // (added, changed or removed), without the values.
    std::string changed;
    const auto& old = before->second.entries;
    for (const auto& [entry, hash] : now.entries) {
      auto it = old.find(entry);
      if (it == old.end() || it->second != hash) changed += " " + entry;
    }
    for (const auto& [entry, hash] : old) {
      if (!now.entries.contains(entry)) changed += " " + entry;
    }
    if (changed.empty()) return;
    std::string line = "METADATA ";
    append_astring(line, name);
    untagged(line + changed);
  };
  // RFC 5465 §5.7 MailboxMetadataChange, §5.8 ServerMetadataChange (mailbox "").
  for (const auto& name : folders) {
    if (notify_wants(kMailboxMetadataChange, name, subs)) look(name);
  }
  for (const auto& f : n.spec.filters) {
    if (f.events & kServerMetadataChange) {
      look("");
      break;
    }
  }
  n.metadata = std::move(seen);
}

std::vector<std::filesystem::path> Session::notify_dirs() const {
  std::vector<std::filesystem::path> dirs;
  if (!notify_ || !user_) return dirs;
  const NotifyState& n = *notify_;
  // The Maildir root: folders created, deleted and renamed (.Name directories), the
  // subscriptions file, the server's and INBOX's METADATA files.
  dirs.push_back(user_->root());
  if (selected_) {
    dirs.push_back(selected_->box().path() / "new");
    dirs.push_back(selected_->box().path() / "cur");
  }
  for (const auto& name : n.folders) {
    bool messages = notify_wants(kMessageNew, name, n.subscriptions);
    bool metadata = notify_wants(kMailboxMetadataChange, name, n.subscriptions);
    if (!messages && !metadata) continue;
    auto dir = user_->folder_path(name);
    if (!dir) continue;
    if (messages) {
      dirs.push_back(*dir / "new");
      dirs.push_back(*dir / "cur");
    }
    if (metadata) dirs.push_back(*dir);  // its METADATA file is replaced by rename
  }
  return dirs;
}

void Session::report_new_messages(uint32_t known_uid) {
  if (!notify_ || !selected_) return;
  const NotifyFilter* f = notify_selected_filter(notify_->spec);
  if (f == nullptr || f->fetch.empty() || !(f->events & kMessageNew)) return;
  uint32_t first = selected_->exists() + 1;
  while (first > 1 && selected_->uid_at(first - 1) > known_uid) --first;
  if (first > selected_->exists()) return;
  if (selected_->exists() - first + 1 > kNotifyMaxFetch) {
    // RFC 5465 §5.8: the client re-syncs (EXISTS went out; it FETCHes what it needs).
    untagged("OK [NOTIFICATIONOVERFLOW] Too many new messages: NOTIFY is now NONE");
    notify_.reset();
    notify_overflowed_ = true;
    return;
  }
  // RFC 5465 §5.2: after EXISTS, a FETCH of the fetch attributes for each new message,
  // with UID so that the client can file it; read-only, as no attribute may set \Seen.
  FetchPlan plan = plan_fetch(f->fetch, true, false, true);
  FetchArgs args;
  bool unknown_cte = false;
  for (uint32_t seq = first; seq <= selected_->exists(); ++seq) {
    fetch_one(seq, plan, args, unknown_cte);
  }
}

}  // namespace correio::imapd
