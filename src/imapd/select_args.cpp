// Parsing of SELECT's and EXAMINE's arguments (see select_args.hpp).
#include "imapd/select_args.hpp"

namespace correio::imapd {

Result<SelectArgs> parse_select_args(Parser& p, const std::string& command, bool qresync_enabled) {
  SelectArgs args;
  auto name = p.mailbox();
  if (!name) return Error{"Error in IMAP command " + command + ": Invalid arguments."};
  args.name = *name;
  // (CONDSTORE) or (QRESYNC (uidvalidity modseq [known-uids [(seqs uids)]]))
  bool& want_qresync = args.qresync;
  uint32_t& known_validity = args.known_validity;
  uint64_t& known_modseq = args.known_modseq;
  std::optional<SequenceSet>& known_uids = args.known_uids;
  if (p.consume(' ')) {
    if (!p.consume('(')) {
      return Error{"Invalid SELECT parameters."};
    }
    while (!p.consume(')')) {
      auto param = p.atom();
      if (!param) {
        return Error{"Invalid SELECT parameters."};
      }
      std::string u = upper(*param);
      if (u == "CONDSTORE") {
        args.condstore = true;
      } else if (u == "QRESYNC") {
        if (!qresync_enabled) {
          return Error{"QRESYNC is not enabled."};
        }
        auto validity = p.space() && p.consume('(') ? p.nz_number() : std::nullopt;
        auto modseq = validity && p.space() ? p.number() : std::nullopt;
        if (!modseq) {
          return Error{"Invalid QRESYNC parameters."};
        }
        known_validity = *validity;
        known_modseq = *modseq;
        if (p.consume(' ') && !p.peek('(')) {
          known_uids = p.sequence_set();
          if (!known_uids) {
            return Error{"Invalid QRESYNC known UIDs."};
          }
          p.consume(' ');
        }
        if (p.consume('(')) {  // sequence match data: accepted, not needed
          while (!p.at_end() && !p.consume(')')) (void)p.consume(p.rest()[0]);
        }
        if (!p.consume(')')) {
          return Error{"Invalid QRESYNC parameters."};
        }
        want_qresync = true;
      } else {
        return Error{"Unknown SELECT parameter " + u};
      }
      p.consume(' ');
    }
  }
  if (!p.at_end()) {
    return Error{"Error in IMAP command " + command + ": Extra arguments."};
  }
  return args;
}

}  // namespace correio::imapd
