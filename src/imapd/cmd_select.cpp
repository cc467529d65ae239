// Selecting a folder and leaving it (RFC 9051 §6.3.2-3, §6.4.1-3, RFC 7162 CONDSTORE and
// QRESYNC parameters, RFC 3691 UNSELECT), EXPUNGE / UID EXPUNGE (RFC 4315) and IDLE
// (RFC 2177).
#include <fmt/format.h>

#include <asio/experimental/awaitable_operators.hpp>

#include "imapd/object_ids.hpp"
#include "imapd/response.hpp"
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
  auto name = p.mailbox();
  if (!name) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid arguments.");
    co_return;
  }
  // (CONDSTORE) or (QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]]))
  bool want_qresync = false;
  uint32_t known_validity = 0;
  uint64_t known_modseq = 0;
  std::optional<SequenceSet> known_uids;
  if (p.consume(' ')) {
    if (!p.consume('(')) {
      bad(c, "Invalid SELECT parameters.");
      co_return;
    }
    while (!p.consume(')')) {
      auto param = p.atom();
      if (!param) {
        bad(c, "Invalid SELECT parameters.");
        co_return;
      }
      std::string u = upper(*param);
      if (u == "CONDSTORE") {
        condstore_ = true;
      } else if (u == "QRESYNC") {
        if (!qresync_) {
          bad(c, "QRESYNC is not enabled.");
          co_return;
        }
        auto validity = p.space() && p.consume('(') ? p.nz_number() : std::nullopt;
        auto modseq = validity && p.space() ? p.number() : std::nullopt;
        if (!modseq) {
          bad(c, "Invalid QRESYNC parameters.");
          co_return;
        }
        known_validity = *validity;
        known_modseq = *modseq;
        if (p.consume(' ') && !p.peek('(')) {
          known_uids = p.sequence_set();
          if (!known_uids) {
            bad(c, "Invalid QRESYNC known UIDs.");
            co_return;
          }
          p.consume(' ');
        }
        if (p.consume('(')) {  // sequence match data: accepted, not needed
          while (!p.at_end() && !p.consume(')')) (void)p.consume(p.rest()[0]);
        }
        if (!p.consume(')')) {
          bad(c, "Invalid QRESYNC parameters.");
          co_return;
        }
        want_qresync = true;
      } else {
        bad(c, "Unknown SELECT parameter " + u);
        co_return;
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) {
    bad(c, "Error in IMAP command " + c.name + ": Extra arguments.");
    co_return;
  }
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
    selected_->announce_expunged(*removed, out_, qresync_);
  }
  report_changes(true);
  ok(c, fmt::format("[HIGHESTMODSEQ {}] Expunge completed.", selected_->box().highest_modseq()));
}

asio::awaitable<void> Session::cmd_idle(const Command& c, Parser& p) {
  using namespace asio::experimental::awaitable_operators;
  if (!p.at_end()) {
    bad(c, "IDLE takes no arguments.");
    co_return;
  }
  report_changes(true);
  out_ += "+ idling\r\n";
  auto deadline = std::chrono::steady_clock::now() + settings_.idle_timeout;
  for (;;) {
    bool sent = co_await flush();
    if (!sent) {
      state_ = State::logout;
      co_return;
    }
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      out_ += "* BYE Disconnected for inactivity in IDLE.\r\n";
      co_await flush();
      state_ = State::logout;
      co_return;
    }
    conn_.set_timeout(deadline - now);
    std::variant<io::LineResult, std::monostate> woke;
    if (selected_) {
      // Poll at least every 30 s in case an event slipped between sync and watch, and when
      // the folder's state must be verified (a change within one clock tick of another).
      auto wait =
          std::min<std::chrono::steady_clock::duration>(deadline - now, std::chrono::seconds(30));
      if (int64_t recheck = selected_->box().recheck_at(); recheck != 0) {
        auto until = std::chrono::seconds(std::max<int64_t>(recheck - ::time(nullptr), 0)) +
                     std::chrono::milliseconds(100);
        wait = std::min<std::chrono::steady_clock::duration>(wait, until);
      }
      if (notify_) wait = std::min(wait, kNotifyPoll);  // NOTIFY: other mailboxes too
      woke = co_await (conn_.read_line(settings_.limits.max_line_length) ||
                       shared_.watcher.wait(selected_->box().path(), wait));
    } else if (notify_) {
      // NOTIFY without a selected mailbox: woken by INBOX, and polling the others.
      woke = co_await (conn_.read_line(settings_.limits.max_line_length) ||
                       shared_.watcher.wait(user_->root(), kNotifyPoll));
    } else {
      woke = co_await conn_.read_line(settings_.limits.max_line_length);
    }
    if (woke.index() == 1) {
      report_changes(true);
      continue;
    }
    const io::LineResult& line = std::get<0>(woke);
    if (line.status == io::ReadStatus::timeout) continue;  // the deadline check above ends it
    if (line.status != io::ReadStatus::ok) {
      state_ = State::logout;
      co_return;
    }
    std::string_view text = line.line;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.remove_suffix(1);
    if (iequals(text, "DONE")) break;
    bad(c, "Expected DONE.");
    co_return;
  }
  report_changes(true);
  ok(c, "Idle completed.");
}

}  // namespace correio::imapd
