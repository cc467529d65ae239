// STORE (RFC 9051 §6.4.6, RFC 7162 UNCHANGEDSINCE); the arguments are parsed by
// store_args.cpp. COPY and MOVE are in cmd_copy_move.cpp.
#include <fmt/format.h>

#include "imapd/session.hpp"
#include "imapd/store_args.hpp"

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
  auto* set = &args.set;
  const std::optional<uint64_t>& unchanged_since = args.unchanged_since;
  const mailbox::StoreMode mode = args.mode;
  const bool silent = args.silent;
  const mailbox::Flags& flags = args.flags;
  if (selected_->read_only()) {
    no(c, "[READ-ONLY] Mailbox is read-only.");
    co_return;
  }
  bool set_is_uids = expand_saved_result(*set, c.uid);
  if (!set_is_uids && !selected_->sequence_numbers_in_range(*set)) {
    bad(c, "Error in IMAP command " + c.name + ": Invalid messageset");
    co_return;
  }
  report_changes(false);
  std::vector<uint32_t> uids;
  for (uint32_t seq : selected_->resolve(*set, set_is_uids)) {
    if (const auto* m = selected_->message_at(seq)) uids.push_back(m->uid);
  }
  // RFC 5530 §3 LIMIT: Maildir keeps at most 26 keywords per folder (letters a..z), an
  // administrative limit rather than a server bug. Removing keywords never needs room.
  if (mode != mailbox::StoreMode::kRemove && !selected_->box().keywords_fit(flags.keywords)) {
    no(c, "[LIMIT] Too many keywords in this mailbox (Maildir allows 26).");
    co_return;
  }
  auto result = selected_->box().store_flags(uids, mode, flags, unchanged_since);
  if (!result) {
    no(c, "[SERVERBUG] " + result.error().message);
    co_return;
  }
  selected_->announce_keywords(out_);
  std::vector<uint32_t> changed_uids;
  for (const auto& m : result->changed) {
    changed_uids.push_back(m.uid);
    selected_->mark_reported(m.uid, m.modseq);
    uint32_t seq = selected_->seq_of(m.uid);
    if (seq == 0) continue;
    // .SILENT still reports MODSEQ under CONDSTORE (RFC 7162 §3.1.3).
    if (silent && !unchanged_since) continue;
    std::string line = fmt::format("* {} FETCH (", seq);
    if (c.uid || qresync_) line += fmt::format("UID {} ", m.uid);
    if (!silent) line += "FLAGS " + format_flags(m.flags, m.recent);
    if (condstore_) line += fmt::format("{}MODSEQ ({})", silent ? "" : " ", m.modseq);
    line += ")\r\n";
    out_ += line;
  }
  // Messages that matched but whose flags were already as asked still get FLAGS (RFC 9051).
  if (!silent) {
    for (uint32_t uid : uids) {
      if (std::find(changed_uids.begin(), changed_uids.end(), uid) != changed_uids.end()) continue;
      if (std::find(result->failed.begin(), result->failed.end(), uid) != result->failed.end())
        continue;
      const auto* m = selected_->box().find(uid);
      uint32_t seq = selected_->seq_of(uid);
      if (m == nullptr || seq == 0) continue;
      std::string line = fmt::format("* {} FETCH (", seq);
      if (c.uid || qresync_) line += fmt::format("UID {} ", uid);
      line += "FLAGS " + format_flags(m->flags, m->recent);
      if (condstore_) line += fmt::format(" MODSEQ ({})", m->modseq);
      line += ")\r\n";
      out_ += line;
    }
  }
  if (!result->failed.empty()) {
    std::vector<uint32_t> failed;
    for (uint32_t uid : result->failed) {
      failed.push_back(c.uid ? uid : selected_->seq_of(uid));
    }
    std::sort(failed.begin(), failed.end());
    ok(c, "[MODIFIED " + format_number_set(failed) + "] Conditional STORE failed.");
    co_return;
  }
  ok(c, "Store completed.");
}

}  // namespace correio::imapd
