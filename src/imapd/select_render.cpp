// SELECT's and EXAMINE's untagged answer (see select_render.hpp).
#include "imapd/select_render.hpp"

#include <fmt/format.h>

#include "imapd/object_ids.hpp"

namespace correio::imapd {
namespace {

void line(std::string& out, std::string_view text) {
  out += "* ";
  out += text;
  out += "\r\n";
}

}  // namespace

void render_select_state(SelectedView& view, std::string& out) {
  mailbox::Mailbox& mb = view.box();
  line(out, "FLAGS " + view.flags_list());
  line(out, "OK [PERMANENTFLAGS " + view.permanent_flags_list() + "] Flags permitted.");
  line(out, fmt::format("{} EXISTS", view.exists()));
  line(out, fmt::format("{} RECENT", view.recent()));
  // RFC 3501 UNSEEN: the first unseen message's sequence number (IMAP4rev1 only).
  for (uint32_t seq = 1; seq <= view.exists(); ++seq) {
    const auto* m = view.message_at(seq);
    if (m != nullptr && !m->flags.has(mailbox::kSeen)) {
      line(out, fmt::format("OK [UNSEEN {}] First unseen.", seq));
      break;
    }
  }
  line(out, fmt::format("OK [UIDVALIDITY {}] UIDs valid", mb.uid_validity()));
  // RFC 8474 §4.3: MAILBOXID in SELECT's untagged OK.
  line(out, fmt::format("OK [MAILBOXID ({})] Ok", mailbox_object_id(mb.uid_validity())));
  line(out, fmt::format("OK [UIDNEXT {}] Predicted next UID", mb.uid_next()));
  line(out, fmt::format("OK [HIGHESTMODSEQ {}] Highest", mb.highest_modseq()));
}

void render_qresync_changes(SelectedView& view, const SelectArgs& args, std::string& out) {
  mailbox::Mailbox& mb = view.box();
  if (!args.qresync || args.known_validity != mb.uid_validity()) return;
  // RFC 7162 §3.2.5.1: what vanished and what changed since the client's modseq.
  auto vanished = mb.expunged_since(args.known_modseq);
  if (vanished && !vanished->empty()) {
    std::vector<uint32_t> in_known;
    for (uint32_t uid : *vanished) {
      if (!args.known_uids || args.known_uids->contains(uid, UINT32_MAX - 1))
        in_known.push_back(uid);
    }
    if (!in_known.empty()) line(out, "VANISHED (EARLIER) " + format_number_set(in_known));
  }
  for (uint32_t seq = 1; seq <= view.exists(); ++seq) {
    const auto* m = view.message_at(seq);
    if (m == nullptr || m->modseq <= args.known_modseq) continue;
    line(out, fmt::format("{} FETCH (UID {} FLAGS {} MODSEQ ({}))", seq, m->uid,
                          format_flags(m->flags, m->recent), m->modseq));
  }
}

std::string select_completed_text(bool read_only) {
  return read_only ? "[READ-ONLY] Examine completed." : "[READ-WRITE] Select completed.";
}

}  // namespace correio::imapd
