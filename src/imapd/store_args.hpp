// STORE's arguments (RFC 9051 §6.4.6, RFC 7162 §3.1.3 UNCHANGEDSINCE) parsed into values:
// a pure parser with no session state. Private to imapd.
#pragma once

#include <cstdint>
#include <optional>

#include "base/result.hpp"
#include "imapd/parser.hpp"
#include "mailbox/flags.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

// "sequence-set SP [(UNCHANGEDSINCE n) SP] [+|-]FLAGS[.SILENT] SP flag-list".
struct StoreArgs {
  SequenceSet set;
  std::optional<uint64_t> unchanged_since;
  mailbox::StoreMode mode = mailbox::StoreMode::kReplace;
  bool silent = false;  // FLAGS.SILENT: no untagged FETCH of the new flags
  mailbox::Flags flags;
};

// The arguments, or the text of the BAD reply.
Result<StoreArgs> parse_store_args(Parser& p);

}  // namespace correio::imapd
