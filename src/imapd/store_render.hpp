// STORE's answer (RFC 9051 §6.4.6, RFC 7162 §3.1.3-§3.1.4 MODSEQ and [MODIFIED]):
// renderers of the untagged FETCH responses and the tagged text from what the store
// changed, apart from the command that changes the flags (cmd_store.cpp). Private to imapd.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "imapd/selected_view.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// What shapes the FETCH responses of one STORE.
struct StoreReply {
  bool uid_command = false;      // UID STORE: FETCH carries UID
  bool qresync = false;          // QRESYNC enabled: FETCH carries UID (RFC 7162 §3.2.4)
  bool condstore = false;        // CONDSTORE enabled: FETCH carries UID and MODSEQ (§3.1)
  bool silent = false;           // FLAGS.SILENT
  bool unchanged_since = false;  // UNCHANGEDSINCE given
};

// The untagged FETCH responses: one per changed message (MODSEQ even when silent under
// UNCHANGEDSINCE), then, unless silent, FLAGS for the matched messages whose flags were
// already as asked. `uids` are the messages the set matched, in sequence order.
void render_store_fetches(SelectedView& view, const mailbox::StoreResult& result,
                          const std::vector<uint32_t>& uids, const StoreReply& reply,
                          std::string& out);

// The tagged OK's text: "[MODIFIED set] Conditional STORE failed." when UNCHANGEDSINCE
// kept some messages unchanged (numbered as the command was), else "Store completed.".
std::string store_completed_text(SelectedView& view, const mailbox::StoreResult& result,
                                 bool uid_command);

}  // namespace correio::imapd
