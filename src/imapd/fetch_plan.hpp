// What one FETCH will do, decided before any message is touched (as Dovecot's
// imap_fetch_init_* step): the items in response order, whether it sets \Seen, whether
// it needs the messages' bytes, and which cached values to ask the store to prefetch.
// Pure; private to imapd.
#pragma once

#include <vector>

#include "imapd/fetch_items.hpp"

namespace correio::imapd {

struct FetchPlan {
  std::vector<FetchItem> items;  // UID first for UID FETCH; MODSEQ added for CHANGEDSINCE
  bool asks_modseq = false;      // the client asked for MODSEQ (enables CONDSTORE)
  bool has_modseq = false;       // MODSEQ is among the items (asked or added)
  bool marks_seen = false;       // BODY[...] or BINARY[...] without .PEEK on a writable folder
  bool needs_message = false;    // some item reads the message's bytes
  unsigned cached_fields = 0;    // mailbox::CachedField bits the items take from the cache
};

FetchPlan plan_fetch(std::vector<FetchItem> items, bool uid_command, bool changed_since,
                     bool read_only);

}  // namespace correio::imapd
