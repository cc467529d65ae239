// Parsing of STORE's arguments (see store_args.hpp).
#include "imapd/store_args.hpp"

#include "imapd/selected_view.hpp"

namespace correio::imapd {

Result<StoreArgs> parse_store_args(Parser& p) {
  StoreArgs args;
  auto set = p.sequence_set();
  if (!set || !p.space()) return Error{"Error in IMAP command STORE: Invalid arguments."};
  args.set = std::move(*set);
  if (p.consume('(')) {
    if (!p.consume_word("UNCHANGEDSINCE") || !p.space()) return Error{"Invalid STORE modifiers."};
    auto n = p.number();
    if (!n || !p.consume(')') || !p.space()) return Error{"Invalid UNCHANGEDSINCE."};
    args.unchanged_since = *n;
  }
  auto op = p.atom();
  std::string u = op ? upper(*op) : "";
  if (!u.empty() && u[0] == '+') args.mode = mailbox::StoreMode::kAdd;
  if (!u.empty() && u[0] == '-') args.mode = mailbox::StoreMode::kRemove;
  std::string base = (!u.empty() && (u[0] == '+' || u[0] == '-')) ? u.substr(1) : u;
  args.silent = base == "FLAGS.SILENT";
  if (base != "FLAGS" && !args.silent)
    return Error{"Error in IMAP command STORE: Invalid data item."};
  auto names = p.space() ? p.flag_list(true) : std::nullopt;
  if (!names || !p.at_end()) return Error{"Error in IMAP command STORE: Invalid flags."};
  std::string error;
  if (!to_flags(*names, args.flags, error)) return Error{"Error in IMAP command STORE: " + error};
  return args;
}

}  // namespace correio::imapd
