// COPY (RFC 9051 §6.4.7, with RFC 4315 COPYUID) and MOVE (RFC 6851), and their UID
// forms: one body, copy_or_move().
#include <fmt/format.h>

#include "imapd/session.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_copy(const Command& c, Parser& p) {
  co_await copy_or_move(c, p, false);
}

asio::awaitable<void> Session::cmd_move(const Command& c, Parser& p) {
  co_await copy_or_move(c, p, true);
}

asio::awaitable<void> Session::copy_or_move(const Command& c, Parser& p, bool move) {
  auto set = p.sequence_set();
  bool sp = set.has_value() && p.space();
  auto dest_name = sp ? p.mailbox() : std::nullopt;
  if (!dest_name || !p.at_end()) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid arguments.");
    co_return;
  }
  if (move && selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only.");
    co_return;
  }
  auto dest = user_->open_mailbox(*dest_name);
  if (!dest) {
    no(c, "[TRYCREATE] Mailbox doesn't exist: " + *dest_name);
    co_return;
  }
  bool set_is_uids = expand_saved_result(*set, c.uid);
  if (!set_is_uids && !selected_->sequence_numbers_in_range(*set)) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid messageset");
    co_return;
  }
  report_changes(false);
  std::vector<uint32_t> uids;
  bool any_expunged = false;
  for (uint32_t seq : selected_->resolve(*set, set_is_uids)) {
    const auto* m = selected_->message_at(seq);
    if (m == nullptr) {
      any_expunged = true;
      continue;
    }
    uids.push_back(m->uid);
  }
  if (uids.empty()) {
    if (any_expunged) {
      no(c, "[EXPUNGEISSUED] Some of the requested messages no longer exist.");
    } else {
      ok(c, c.name + " completed.");
    }
    co_return;
  }
  (void)(*dest)->sync();
  auto pairs =
      move ? selected_->box().move_to(uids, **dest) : selected_->box().copy_to(uids, **dest);
  if (!pairs) {
    no(c, "[SERVERBUG] " + pairs.error().message);
    co_return;
  }
  std::vector<uint32_t> src, dst;
  for (const auto& [a, b] : *pairs) {
    src.push_back(a);
    dst.push_back(b);
  }
  std::string copyuid = fmt::format("[COPYUID {} {} {}]", (*dest)->uid_validity(),
                                    format_number_set(src), format_number_set(dst));
  // Into the selected mailbox itself: the client learns of the new copies (EXISTS) before
  // the old ones go (EXPUNGE), so its view never lacks the message (RFC 6851 §4.3).
  if ((*dest)->path() == selected_->box().path()) report_changes(false);
  if (move) {
    untagged("OK " + copyuid + " Moved UIDs.");
    // RFC 5267 §4.3: REMOVEFROM for UPDATE contexts before the EXPUNGEs, numbered as the
    // client still numbers the messages.
    report_search_updates();
    selected_->announce_expunged(src, out_, qresync_);
    ok(c, "Move completed.");
  } else {
    ok(c, copyuid + " Copy completed.");
  }
}

}  // namespace correio::imapd
