// SELECT's and EXAMINE's answer (RFC 9051 §6.3.2, RFC 7162 §3.2.5.1 QRESYNC): renderers
// of the untagged data from the freshly selected view, apart from the command that opens
// the folder (cmd_select.cpp). They only read the view. Private to imapd.
#pragma once

#include <string>

#include "imapd/select_args.hpp"
#include "imapd/selected_view.hpp"

namespace correio::imapd {

// FLAGS, PERMANENTFLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY, MAILBOXID, UIDNEXT and
// HIGHESTMODSEQ, in RFC 9051 §6.3.2's order, appended to `out` as "* ..." lines.
void render_select_state(SelectedView& view, std::string& out);

// With SELECT ... (QRESYNC (...)) whose UIDVALIDITY matches the folder's: VANISHED
// (EARLIER) for the known UIDs expunged since the modseq, then FETCH (UID FLAGS MODSEQ)
// for every message changed since. Nothing otherwise (the client resynchronises fully).
void render_qresync_changes(SelectedView& view, const SelectArgs& args, std::string& out);

// The tagged OK's text: "[READ-ONLY] Examine completed." or "[READ-WRITE] ...".
std::string select_completed_text(bool read_only);

}  // namespace correio::imapd
