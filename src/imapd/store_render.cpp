// STORE's answer (see store_render.hpp).
#include "imapd/store_render.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace correio::imapd {
namespace {

bool has(const std::vector<uint32_t>& list, uint32_t uid) {
  return std::find(list.begin(), list.end(), uid) != list.end();
}

}  // namespace

void render_store_fetches(SelectedView& view, const mailbox::StoreResult& result,
                          const std::vector<uint32_t>& uids, const StoreReply& reply,
                          std::string& out) {
  std::vector<uint32_t> changed_uids;
  for (const auto& m : result.changed) {
    changed_uids.push_back(m.uid);
    uint32_t seq = view.seq_of(m.uid);
    if (seq == 0) continue;
    // .SILENT still reports MODSEQ under UNCHANGEDSINCE (RFC 7162 §3.1.3).
    if (reply.silent && !reply.unchanged_since) continue;
    std::string line = fmt::format("* {} FETCH (", seq);
    if (reply.uid_command || reply.qresync || reply.condstore)
      line += fmt::format("UID {} ", m.uid);
    if (!reply.silent) line += "FLAGS " + format_flags(m.flags, m.recent);
    if (reply.condstore) line += fmt::format("{}MODSEQ ({})", reply.silent ? "" : " ", m.modseq);
    line += ")\r\n";
    out += line;
  }
  if (reply.silent) return;
  // Messages that matched but whose flags were already as asked still get FLAGS (RFC 9051
  // §6.4.6: the server "SHOULD send an untagged FETCH" of each message's flags).
  for (uint32_t uid : uids) {
    if (has(changed_uids, uid) || has(result.failed, uid)) continue;
    const auto* m = view.box().find(uid);
    uint32_t seq = view.seq_of(uid);
    if (m == nullptr || seq == 0) continue;
    std::string line = fmt::format("* {} FETCH (", seq);
    if (reply.uid_command || reply.qresync || reply.condstore) line += fmt::format("UID {} ", uid);
    line += "FLAGS " + format_flags(m->flags, m->recent);
    if (reply.condstore) line += fmt::format(" MODSEQ ({})", m->modseq);
    line += ")\r\n";
    out += line;
  }
}

std::string store_completed_text(SelectedView& view, const mailbox::StoreResult& result,
                                 bool uid_command) {
  if (result.failed.empty()) return "Store completed.";
  // RFC 7162 §3.1.3: the messages that failed UNCHANGEDSINCE, in the command's numbering.
  std::vector<uint32_t> failed;
  for (uint32_t uid : result.failed) failed.push_back(uid_command ? uid : view.seq_of(uid));
  std::sort(failed.begin(), failed.end());
  return "[MODIFIED " + format_number_set(failed) + "] Conditional STORE failed.";
}

}  // namespace correio::imapd
