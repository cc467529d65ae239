// Selecting a folder and leaving it (RFC 9051 §6.3.2-3, §6.4.1-3, RFC 7162 CONDSTORE and
// QRESYNC parameters, RFC 3691 UNSELECT), EXPUNGE / UID EXPUNGE (RFC 4315).
// IDLE is in cmd_idle.cpp.
#include <fmt/format.h>

#include <asio/experimental/awaitable_operators.hpp>

#include "imapd/object_ids.hpp"
#include "imapd/response.hpp"
#include "imapd/select_args.hpp"
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
  const std::string* name = &parsed->name;
  const bool want_qresync = parsed->qresync;
  const uint32_t known_validity = parsed->known_validity;
  const uint64_t known_modseq = parsed->known_modseq;
  const std::optional<SequenceSet>& known_uids = parsed->known_uids;
  if (selected_) {
    deselect();
    untagged("OK [CLOSED] Previous mailbox closed.");
  }
  auto box = user_->open_mailbox(*name, read_only);
  if (!box) {
    no(c, "[NONEXISTENT] Mailbox doesn't exist: " + *name);
    co_return;
  }
  auto view = std::make_unique<SelectedView>(std::move(*box), read_only);
  if (auto init = view->initialise(); !init) {
    no(c, "[SERVERBUG] " + init.error().message);
    co_return;
  }
  selected_ = std::move(view);
  state_ = State::selected;
  mailbox::Mailbox& mb = selected_->box();
  untagged("FLAGS " + selected_->flags_list());
  untagged("OK [PERMANENTFLAGS " + selected_->permanent_flags_list() + "] Flags permitted.");
  untagged(fmt::format("{} EXISTS", selected_->exists()));
  untagged(fmt::format("{} RECENT", selected_->recent()));
  // RFC 3501 UNSEEN: the first unseen message's sequence number (IMAP4rev1 only).
  for (uint32_t seq = 1; seq <= selected_->exists(); ++seq) {
    const auto* m = selected_->message_at(seq);
    if (m != nullptr && !m->flags.has(mailbox::kSeen)) {
      untagged(fmt::format("OK [UNSEEN {}] First unseen.", seq));
      break;
    }
  }
  untagged(fmt::format("OK [UIDVALIDITY {}] UIDs valid", mb.uid_validity()));
  untagged(fmt::format("OK [MAILBOXID ({})] Ok", mailbox_object_id(mb.uid_validity())));
  untagged(fmt::format("OK [UIDNEXT {}] Predicted next UID", mb.uid_next()));
  untagged(fmt::format("OK [HIGHESTMODSEQ {}] Highest", mb.highest_modseq()));
  if (want_qresync && known_validity == mb.uid_validity()) {
    // RFC 7162 §3.2.5.1: what vanished and what changed since the client's modseq.
    auto vanished = mb.expunged_since(known_modseq);
    if (vanished && !vanished->empty()) {
      std::vector<uint32_t> in_known;
      for (uint32_t uid : *vanished) {
        if (!known_uids || known_uids->contains(uid, UINT32_MAX - 1)) in_known.push_back(uid);
      }
      if (!in_known.empty()) untagged("VANISHED (EARLIER) " + format_number_set(in_known));
    }
    for (uint32_t seq = 1; seq <= selected_->exists(); ++seq) {
      const auto* m = selected_->message_at(seq);
      if (m == nullptr || m->modseq <= known_modseq) continue;
      untagged(fmt::format("{} FETCH (UID {} FLAGS {} MODSEQ ({}))", seq, m->uid,
                           format_flags(m->flags, m->recent), m->modseq));
    }
  }
  ok(c, read_only ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.");
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
