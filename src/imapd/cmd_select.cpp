// Selecting a folder and leaving it (RFC 9051 §6.3.2-3, §6.4.1-3, RFC 7162 CONDSTORE and
// QRESYNC parameters, RFC 3691 UNSELECT), EXPUNGE / UID EXPUNGE (RFC 4315). SELECT's
// arguments are parsed by select_args.cpp and its answer written by select_render.cpp.
// IDLE is in cmd_idle.cpp.
#include <fmt/format.h>

#include <asio/experimental/awaitable_operators.hpp>

#include "imapd/response.hpp"
#include "imapd/select_args.hpp"
#include "imapd/select_render.hpp"
#include "imapd/session.hpp"

namespace correio::imapd {

bool Session::expand_saved_result(SequenceSet& set, bool uid_command) const {
  if (!set.saved_result) return uid_command;
  set.saved_result = false;
  for (uint32_t uid : saved_search_) set.ranges.push_back({uid, uid});
  return true;
}

void Session::deselect() {
  selected_.reset();
  saved_search_.clear();
  saved_search_valid_ = false;
  search_updates_.clear();  // updates end with the mailbox (RFC 5267 §4.2)
  if (state_ == State::selected) state_ = State::authenticated;
}

asio::awaitable<void> Session::cmd_select(const Command& c, Parser& p) {
  co_await select(c, p, false);
}

asio::awaitable<void> Session::cmd_examine(const Command& c, Parser& p) {
  co_await select(c, p, true);
}

asio::awaitable<void> Session::select(const Command& c, Parser& p, bool read_only) {
  auto parsed = parse_select_args(p, c.name, qresync_);
  if (!parsed) {
    bad(c, parsed.error().message);
    co_return;
  }
  if (parsed->condstore) condstore_ = true;
  if (selected_) {
    deselect();
    untagged("OK [CLOSED] Previous mailbox closed.");
  }
  auto box = user_->open_mailbox(parsed->name, read_only);
  if (!box) {
    no(c, "[NONEXISTENT] Mailbox doesn't exist: " + parsed->name);
    co_return;
  }
  auto view = std::make_unique<SelectedView>(std::move(*box), read_only);
  if (auto init = view->initialise(); !init) {
    no(c, "[SERVERBUG] " + init.error().message);
    co_return;
  }
  selected_ = std::move(view);
  state_ = State::selected;
  render_select_state(*selected_, out_);
  render_qresync_changes(*selected_, *parsed, out_);
  ok(c, select_completed_text(read_only));
}

asio::awaitable<void> Session::cmd_close(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "CLOSE takes no arguments.");
    co_return;
  }
  if (!selected_->read_only()) {
    std::vector<uint32_t> doomed;
    for (const auto& m : selected_->box().messages()) {
      if (m.flags.has(mailbox::kDeleted)) doomed.push_back(m.uid);
    }
    if (!doomed.empty()) (void)selected_->box().expunge(doomed);
  }
  deselect();
  ok(c, "Close completed.");
}

asio::awaitable<void> Session::cmd_unselect(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "UNSELECT takes no arguments.");
    co_return;
  }
  deselect();
  ok(c, "Unselect completed.");
}

asio::awaitable<void> Session::cmd_check(const Command& c, Parser& p) {
  if (!p.at_end()) {
    bad(c, "CHECK takes no arguments.");
    co_return;
  }
  report_changes(true);
  ok(c, "Check completed.");
}

asio::awaitable<void> Session::cmd_expunge(const Command& c, Parser& p) {
  std::optional<SequenceSet> uids;
  if (c.uid) {
    uids = p.sequence_set();
    if (!uids) {
      bad(c, "Error in IMAP command UID EXPUNGE: Invalid UID set.");
      co_return;
    }
    expand_saved_result(*uids, true);  // SEARCHRES "$" (RFC 5182): the saved UIDs
  }
  if (!p.at_end()) {
    bad(c, "Error in IMAP command EXPUNGE: Extra arguments.");
    co_return;
  }
  if (selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only.");
    co_return;
  }
  report_changes(true);
  std::vector<uint32_t> doomed;
  for (const auto& m : selected_->box().messages()) {
    if (!m.flags.has(mailbox::kDeleted)) continue;
    if (uids && !uids->contains(m.uid, selected_->max_uid())) continue;
    doomed.push_back(m.uid);
  }
  if (!doomed.empty()) {
    auto removed = selected_->box().expunge(doomed);
    if (!removed) {
      no(c, "[SERVERBUG] " + removed.error().message);
      co_return;
    }
    // RFC 5267 §4.3: REMOVEFROM for UPDATE contexts before the EXPUNGEs, numbered as the
    // client still numbers the messages (the view keeps them until announced).
    report_search_updates();
    selected_->announce_expunged(*removed, out_, qresync_);
  }
  report_changes(true);
  ok(c, fmt::format("[HIGHESTMODSEQ {}] Expunge completed.", selected_->box().highest_modseq()));
}

}  // namespace correio::imapd
