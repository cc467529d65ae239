// NOTIFY's arguments (RFC 5465 §3, §8): "NONE" or "SET" [SP "STATUS"] with one or more
// (filter-mailboxes events) groups, parsed over imapd's Parser, and which mailboxes a
// filter covers. Pure functions; private to imapd.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "imapd/fetch_items.hpp"
#include "imapd/parser.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// Event bits (RFC 5465 §5).
enum NotifyEvent : unsigned {
  kMessageNew = 1 << 0,
  kMessageExpunge = 1 << 1,
  kFlagChange = 1 << 2,
  kAnnotationChange = 1 << 3,
  kMailboxName = 1 << 4,
  kSubscriptionChange = 1 << 5,
  kMailboxMetadataChange = 1 << 6,
  kServerMetadataChange = 1 << 7,
};

struct NotifyFilter {
  // RFC 5465 §6: filter-mailboxes.
  enum class Kind { selected, selected_delayed, inboxes, personal, subscribed, subtree, mailboxes };
  Kind kind = Kind::selected;
  std::vector<std::string> mailboxes;  // subtree and mailboxes only
  unsigned events = 0;                 // 0: "NONE"
  // RFC 5465 §5.2: MessageNew's fetch attributes, sent as FETCH after EXISTS for the
  // selected mailbox (other mailboxes get STATUS). Never ones that set \Seen.
  std::vector<FetchItem> fetch;
};

struct NotifySpec {
  bool status = false;  // SET STATUS: the current STATUS of each mailbox right away
  std::vector<NotifyFilter> filters;
};

struct NotifyParse {
  std::optional<NotifySpec> spec;  // nullopt with `none`: NOTIFY NONE
  bool none = false;
  // A syntax error (BAD) in `error`; `bad_event` set to the unsupported event's name when
  // the syntax is right but an event is not supported (NO [BADEVENT], RFC 5465 §3.1).
  std::string error;
  std::string bad_event;
};

// Parses after "NOTIFY SP" up to the end of the command. Events Correio supports:
// MessageNew (with fetch attributes), MessageExpunge, FlagChange, MailboxName,
// SubscriptionChange, MailboxMetadataChange, ServerMetadataChange; AnnotationChange is
// BADEVENT (no ANNOTATE). RFC 5465 §5: MessageNew and MessageExpunge come together,
// FlagChange only with both. At most 64 groups and mailboxes each.
NotifyParse parse_notify(Parser& p);

// The events for BADEVENT (RFC 5465 §3.1).
inline constexpr const char* kSupportedNotifyEvents =
    "(MessageNew MessageExpunge FlagChange MailboxName SubscriptionChange "
    "MailboxMetadataChange ServerMetadataChange)";

// How often a NOTIFY session looks at the mailboxes the folder watcher could not watch
// (no inotify, or the kernel's max_user_watches reached): the fallback poll.
inline constexpr std::chrono::steady_clock::duration kNotifyPoll = std::chrono::seconds(1);

// RFC 5465 §5.8: how many FETCH responses MessageNew may queue in one report before the
// session sends NOTIFICATIONOVERFLOW and acts as after NOTIFY NONE. Each FETCH with
// ENVELOPE or a header section reads a message; 1,000 of them bound one report's work
// and memory (about a megabyte of output) while any real burst of deliveries fits.
inline constexpr size_t kNotifyMaxFetch = 1000;

// A session's NOTIFY SET and what it last told the client (notify_session.cpp).
struct NotifyState {
  NotifySpec spec;
  std::map<std::string, mailbox::FolderStatus> status;  // watched mailboxes' last STATUS
  // The new/ and cur/ modification times (ns) when that STATUS was read: a folder whose
  // directories did not change since, and not within the last two seconds (coarse file
  // system clocks), is not read again.
  std::map<std::string, std::pair<int64_t, int64_t>> stamps;
  std::set<std::string> folders;        // existing folders (MailboxName)
  std::set<std::string> subscriptions;  // (SubscriptionChange)
  // METADATA entries last seen (entry -> hash of its value) per mailbox, "" for the
  // server's, with the stamp of the directory holding the file: only changed ones are
  // read again.
  struct MetadataSeen {
    std::pair<int64_t, int64_t> stamp{-1, -1};
    std::map<std::string, size_t> entries;
  };
  std::map<std::string, MetadataSeen> metadata;
};

// The filter for the selected mailbox (SELECTED or SELECTED-DELAYED), nullptr without.
const NotifyFilter* notify_selected_filter(const NotifySpec& spec);

// Whether `filter` covers mailbox `name` (RFC 5465 §6); `subscribed` for SUBSCRIBED.
bool notify_covers(const NotifyFilter& filter, const std::string& name,
                   const std::set<std::string>& subscribed);

}  // namespace correio::imapd
