// NOTIFY (RFC 5465), the session's side: NOTIFY SET/NONE, and the report of other
// mailboxes' changes — untagged STATUS for new and expunged messages (and UNSEEN with
// FlagChange), LIST for created/deleted/renamed folders and for subscription changes —
// whenever the session reports changes (NOOP, IDLE wake-ups, commands that may send
// EXISTS). The selected mailbox keeps reporting as without NOTIFY.
#include <fmt/format.h>
#include <sys/stat.h>

#include <ctime>

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

}  // namespace correio::imapd
