// SELECT's and EXAMINE's arguments (RFC 9051 §6.3.2, RFC 7162 §3.1.8 CONDSTORE and §3.2.5
// QRESYNC parameters) parsed into values: a pure parser with no session state (whether
// QRESYNC is enabled is an input). Private to imapd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "imapd/parser.hpp"

namespace correio::imapd {

struct SelectArgs {
  std::string name;
  bool condstore = false;  // (CONDSTORE): a CONDSTORE enabling parameter
  bool qresync = false;    // (QRESYNC (uidvalidity modseq [known-uids ...]))
  uint32_t known_validity = 0;
  uint64_t known_modseq = 0;
  std::optional<SequenceSet> known_uids;
};

// "mailbox [SP (parameters)]" of `command` ("SELECT" or "EXAMINE", for the error texts),
// or the text of the BAD reply. QRESYNC is refused unless `qresync_enabled`.
Result<SelectArgs> parse_select_args(Parser& p, const std::string& command, bool qresync_enabled);

}  // namespace correio::imapd
