// STORE (RFC 9051 §6.4.6, RFC 7162 UNCHANGEDSINCE): the arguments are parsed by
// store_args.cpp, the flags changed here, the answer written by store_render.cpp. COPY
// and MOVE are in cmd_copy_move.cpp.
#include "imapd/session.hpp"
#include "imapd/store_args.hpp"
#include "imapd/store_render.hpp"

namespace correio::imapd {

asio::awaitable<void> Session::cmd_store(const Command& c, Parser& p) {
  auto parsed = parse_store_args(p);
  if (!parsed) {
    bad(c, parsed.error().message);
    co_return;
  }
  StoreArgs& args = *parsed;
  // RFC 7162 §3.1: UNCHANGEDSINCE is a CONDSTORE enabling command.
  if (args.unchanged_since) condstore_ = true;
  if (selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only.");
    co_return;
  }
  bool set_is_uids = expand_saved_result(args.set, c.uid);
  if (!set_is_uids && !selected_->sequence_numbers_in_range(args.set)) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid messageset");
    co_return;
  }
  report_changes(false);
  std::vector<uint32_t> uids;
  for (uint32_t seq : selected_->resolve(args.set, set_is_uids)) {
    if (const auto* m = selected_->message_at(seq)) uids.push_back(m->uid);
  }
  // RFC 5530 §3 LIMIT: Maildir keeps at most 26 keywords per folder (letters a..z), an
  // administrative limit rather than a server bug. Removing keywords never needs room.
  if (args.mode != mailbox::StoreMode::kRemove &&
      !selected_->box().keywords_fit(args.flags.keywords)) {
    no(c, "[LIMIT] Too many keywords in this mailbox (Maildir allows 26).");
    co_return;
  }
  auto result = selected_->box().store_flags(uids, args.mode, args.flags, args.unchanged_since);
  if (!result) {
    no(c, "[SERVERBUG] " + result.error().message);
    co_return;
  }
  selected_->announce_keywords(out_);
  // The client learns these flags from this answer, not from the next report.
  for (const auto& m : result->changed) selected_->mark_reported(m.uid, m.modseq);
  StoreReply reply{c.uid, qresync_, condstore_, args.silent, args.unchanged_since.has_value()};
  render_store_fetches(*selected_, *result, uids, reply, out_);
  ok(c, store_completed_text(*selected_, *result, c.uid));
}

}  // namespace correio::imapd
