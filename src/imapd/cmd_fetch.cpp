// FETCH and UID FETCH (RFC 9051 §6.4.5, RFC 3516 BINARY, RFC 7162 CHANGEDSINCE / MODSEQ /
// VANISHED, RFC 9394 PARTIAL): the arguments are parsed by fetch_items.cpp, planned by
// fetch_plan.cpp and each item rendered by fetch_render.cpp; this file runs the plan over
// the messages. Cached values (ENVELOPE, BODYSTRUCTURE) are the store's business.
#include <fmt/format.h>

#include <iterator>

#include "imapd/fetch_plan.hpp"
#include "imapd/fetch_render.hpp"
#include "imapd/response.hpp"
#include "imapd/session.hpp"

namespace correio::imapd {

std::vector<uint32_t> Session::fetch_targets(const FetchArgs& args, bool set_is_uids) const {
  std::vector<uint32_t> seqs = selected_->resolve(args.set, set_is_uids);
  if (args.partial) {
    // Positions count the messages the FETCH would return: present, and changed since
    // CHANGEDSINCE when given (RFC 9394 §3.2).
    std::erase_if(seqs, [&](uint32_t seq) {
      const mailbox::MessageInfo* m = selected_->message_at(seq);
      return m == nullptr || (args.changed_since && m->modseq <= *args.changed_since);
    });
    seqs = partial_window(seqs, *args.partial);
  }
  return seqs;
}

void Session::fetch_vanished(const FetchArgs& args) {
  // RFC 7162 §3.2.6: UIDs of the set expunged since CHANGEDSINCE, before the FETCHes.
  auto gone = selected_->box().expunged_since(*args.changed_since);
  if (!gone) return;
  std::vector<uint32_t> in_set;
  for (uint32_t uid : *gone) {
    if (args.set.contains(uid, selected_->max_uid())) in_set.push_back(uid);
  }
  if (!in_set.empty()) untagged("VANISHED (EARLIER) " + format_number_set(in_set));
}

// One message's FETCH response line, or false when it is to be skipped.
bool Session::fetch_one(uint32_t seq, const FetchPlan& plan, const FetchArgs& args,
                        bool& unknown_cte) {
  mailbox::Mailbox& box = selected_->box();
  const mailbox::MessageInfo* m = selected_->message_at(seq);
  if (m == nullptr || (args.changed_since && m->modseq <= *args.changed_since)) return false;
  uint32_t uid = m->uid;
  bool flags_changed_now = false;
  if (plan.marks_seen && !m->flags.has(mailbox::kSeen)) {
    mailbox::Flags seen;
    seen.system = mailbox::kSeen;
    std::vector<uint32_t> one{uid};
    auto stored = box.store_flags(one, mailbox::StoreMode::kAdd, seen);
    if (stored && !stored->changed.empty()) {
      selected_->mark_reported(uid, stored->changed.front().modseq);
      flags_changed_now = true;
    }
    m = box.find(uid);
    if (m == nullptr) return false;
  }
  std::optional<std::string> raw;
  if (plan.needs_message) {
    if (auto r = box.read_message(uid)) raw = std::move(*r);
  }
  FetchMessage message{box, *m, raw ? &*raw : nullptr};
  // Straight into the output: FETCH 1:* renders one of these per message.
  std::string& line = out_;
  fmt::format_to(std::back_inserter(line), "* {} FETCH (", seq);
  bool flags_written = false, uid_written = false;
  for (size_t i = 0; i < plan.items.size(); ++i) {
    if (i > 0) line += ' ';
    render_fetch_item(message, plan.items[i], line);
    if (plan.items[i].kind == FetchItem::Kind::flags) flags_written = true;
    if (plan.items[i].kind == FetchItem::Kind::uid) uid_written = true;
  }
  // RFC 9051 §7.5.2: a flag change this FETCH made is reported with the response.
  if (flags_changed_now && !flags_written) {
    line += " FLAGS ";
    append_flags(line, m->flags, m->recent);
    flags_written = true;
  }
  // RFC 7162 §3.1: with CONDSTORE on, a FETCH that set \Seen carries UID and MODSEQ.
  if (flags_changed_now && condstore_ && !uid_written)
    fmt::format_to(std::back_inserter(line), " UID {}", uid);
  // RFC 7162 §3.1.4.1: with CONDSTORE on, every FETCH with FLAGS carries MODSEQ.
  if (flags_written && condstore_ && !plan.has_modseq)
    fmt::format_to(std::back_inserter(line), " MODSEQ ({})", m->modseq);
  line += ")\r\n";
  if (message.unknown_cte) unknown_cte = true;
  return true;
}

asio::awaitable<void> Session::cmd_fetch(const Command& c, Parser& p) {
  auto parsed = parse_fetch_args(p);
  if (!parsed) {
    bad(c, parsed.error().message);
    co_return;
  }
  FetchArgs& args = *parsed;
  if (args.changed_since) condstore_ = true;  // RFC 7162 §3.1: a CONDSTORE enabling command
  if (args.vanished && (!c.uid || !qresync_ || !args.changed_since)) {
    bad(c, "VANISHED needs UID FETCH with CHANGEDSINCE after ENABLE QRESYNC.");
    co_return;
  }
  bool set_is_uids = expand_saved_result(args.set, c.uid);
  if (!set_is_uids && !selected_->sequence_numbers_in_range(args.set)) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid messageset");
    co_return;
  }
  report_changes(false);
  FetchPlan plan = plan_fetch(std::move(args.items), c.uid, args.changed_since.has_value(),
                              selected_->read_only());
  if (plan.asks_modseq) condstore_ = true;  // FETCH MODSEQ enables CONDSTORE (RFC 7162 §3.1)
  if (args.vanished) fetch_vanished(args);
  std::vector<uint32_t> seqs = fetch_targets(args, set_is_uids);
  if (plan.cached_fields != 0) {
    // Tell the store what comes: on a cold cache it computes the rest on all cores.
    std::vector<uint32_t> uids;
    uids.reserve(seqs.size());
    for (uint32_t seq : seqs) {
      const mailbox::MessageInfo* m = selected_->message_at(seq);
      if (m != nullptr && !(args.changed_since && m->modseq <= *args.changed_since))
        uids.push_back(m->uid);
    }
    selected_->box().prefetch(std::move(uids), plan.cached_fields);
  }
  bool any_expunged = false;
  bool unknown_cte = false;
  for (uint32_t seq : seqs) {
    if (selected_->message_at(seq) == nullptr) any_expunged = true;
    fetch_one(seq, plan, args, unknown_cte);
    bool sent = co_await flush_if_large();
    if (!sent) {
      state_ = State::logout;
      co_return;
    }
  }
  if (unknown_cte) {
    no(c, "[UNKNOWN-CTE] Unknown Content-Transfer-Encoding.");
    co_return;
  }
  if (any_expunged) {
    // Another session expunged some of them and this one may not say so during FETCH
    // (RFC 9051 §7.5.1): what still exists was returned, which is a success; the code
    // tells the client to NOOP soon (RFC 5530 §3), as Dovecot answers.
    ok(c, "[EXPUNGEISSUED] Some messages were already expunged.");
    co_return;
  }
  ok(c, "Fetch completed.");
}

}  // namespace correio::imapd
