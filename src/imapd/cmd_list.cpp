// LIST (RFC 9051 §6.3.9 with RFC 5258 LIST-EXTENDED, RFC 5819 LIST-STATUS, RFC 6154
// SPECIAL-USE) and LSUB (RFC 3501 §6.3.9): the arguments are parsed by list_args.cpp,
// the selection is list_selection.cpp's, the lines are list_response.cpp's.
#include <set>

#include "imapd/list_args.hpp"
#include "imapd/list_response.hpp"
#include "imapd/list_selection.hpp"
#include "imapd/session.hpp"
#include "imapd/status_items.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_list(const Command& c, Parser& p) {
  auto parsed = parse_list_args(p);
  if (!parsed) {
    bad(c, parsed.error().message);
    co_return;
  }
  const ListRequest& r = parsed->request;
  const std::vector<std::string>& status_items = parsed->status_items;
  // LIST "" "": the hierarchy delimiter and root (RFC 9051 §6.3.9).
  if (r.patterns.size() == 1 && r.patterns[0].empty()) {
    untagged(list_root_response());
    ok(c, "List completed.");
    co_return;
  }
  auto folders = user_->list_folders();
  if (!folders) {
    no(c, "[SERVERBUG] " + folders.error().message);
    co_return;
  }
  std::set<std::string> subscribed;
  if (r.return_subscribed || r.select_subscribed) {
    if (auto subs = user_->subscriptions()) subscribed.insert(subs->begin(), subs->end());
  }
  for (const ListEntry& e : select_list_entries(r, *folders, subscribed)) {
    untagged(list_response(e));
    if (!status_items.empty() && e.exists) {
      auto st = user_->status(e.name);
      if (st)
        untagged(
            status_line(e.name, *st, status_items, deleted_count(*user_, e.name, status_items)));
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
  auto folders = user_->list_folders();
  if (!folders) {
    no(c, "[SERVERBUG] " + folders.error().message);
    co_return;
  }
  for (const LsubEntry& e : select_lsub_entries(*reference + *pattern, *subs, *folders)) {
    untagged(lsub_response(e));
  }
  ok(c, "Lsub completed.");
}

}  // namespace correio::imapd
