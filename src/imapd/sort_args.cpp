// SORT's and THREAD's argument parsers (see sort_args.hpp). Syntax is checked to the end
// before the charset is judged, as Dovecot does: "SORT (DATE) X-FOO (" is BAD, not NO.
#include "imapd/sort_args.hpp"

#include <algorithm>

namespace correio::imapd {
namespace {

Error bad(std::string_view command, std::string_view why) {
  return Error{"Error in IMAP command " + std::string(command) + ": " + std::string(why)};
}

// RFC 5256 §3: "charset SP search-key *(SP search-key)".
Result<CharsetAndProgram> parse_tail(Parser& p, std::string_view command) {
  CharsetAndProgram out;
  auto charset = p.astring();
  if (!charset || !p.space()) return bad(command, "Missing search parameters");
  out.charset = std::move(*charset);
  auto program = parse_search_program(p);
  if (!program) return bad(command, p.error().empty() ? "Invalid search parameters" : p.error());
  out.program = std::move(*program);
  return out;
}

}  // namespace

bool SortArgs::needs_headers() const {
  return std::any_of(criteria.begin(), criteria.end(),
                     [](const SortCriterion& k) { return k.key != "ARRIVAL" && k.key != "SIZE"; });
}

Result<SortArgs> parse_sort_args(Parser& p) {
  SortArgs args;
  // ESORT (RFC 5267 §3.2): SORT RETURN (MIN MAX ALL COUNT PARTIAL) answers with ESEARCH;
  // CONTEXT=SORT (RFC 5267 §4) adds UPDATE and CONTEXT. SAVE is SEARCH's only.
  if (p.consume_word("RETURN")) {
    args.esort = true;
    auto options = p.space() ? parse_return_options(p, false) : std::nullopt;
    if (!options) return bad("SORT", p.error());
    args.r = std::move(*options);
    if (!p.space()) return bad("SORT", "Missing sort criteria");
  }
  auto criteria = parse_sort_criteria(p);
  if (!criteria) return bad("SORT", p.error());
  args.criteria = std::move(*criteria);
  if (!p.space()) return bad("SORT", "Missing search parameters");
  auto tail = parse_tail(p, "SORT");
  if (!tail) return tail.error();
  args.search = std::move(*tail);
  return args;
}

Result<ThreadArgs> parse_thread_args(Parser& p) {
  ThreadArgs args;
  // RFC 5256 §3: the algorithms we offer in CAPABILITY (THREAD=ORDEREDSUBJECT,
  // THREAD=REFERENCES).
  auto algorithm = p.atom();
  std::string name = algorithm ? upper(*algorithm) : "";
  if (name == "REFERENCES") {
    args.algorithm = ThreadAlgorithm::references;
  } else if (name == "ORDEREDSUBJECT") {
    args.algorithm = ThreadAlgorithm::orderedsubject;
  } else {
    return bad("THREAD", "Unknown thread algorithm");
  }
  if (!p.space()) return bad("THREAD", "Missing search parameters");
  auto tail = parse_tail(p, "THREAD");
  if (!tail) return tail.error();
  args.search = std::move(*tail);
  return args;
}

}  // namespace correio::imapd
