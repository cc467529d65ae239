// SORT's and THREAD's arguments (RFC 5256 §3, RFC 5267 §3.2 ESORT RETURN options) parsed
// into values: pure parsers with no session state. Both end in the same "charset SP
// search-key" tail, parsed once here; whether the charset is supported is the caller's.
// Private to imapd.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "imapd/parser.hpp"
#include "imapd/search_program.hpp"
#include "imapd/search_return.hpp"
#include "imapd/sort_order.hpp"

namespace correio::imapd {

// The tail SORT and THREAD share: "charset SP search-key *(SP search-key)".
struct CharsetAndProgram {
  std::string charset;
  SearchKey program;
};

struct SortArgs {
  bool esort = false;  // RETURN (...) was given: the answer is ESEARCH (RFC 5267 §3.2)
  ReturnOptions r;
  std::vector<SortCriterion> criteria;
  CharsetAndProgram search;
  // Whether a criterion reads header fields (all but ARRIVAL and SIZE do).
  bool needs_headers() const;
};

enum class ThreadAlgorithm { orderedsubject, references };

struct ThreadArgs {
  ThreadAlgorithm algorithm = ThreadAlgorithm::references;
  CharsetAndProgram search;
};

// "[RETURN (options) SP] (criteria) SP charset SP search-keys", or the text of the BAD
// reply (Dovecot's words, "Error in IMAP command SORT: ...").
Result<SortArgs> parse_sort_args(Parser& p);
// "algorithm SP charset SP search-keys", or the text of the BAD reply.
Result<ThreadArgs> parse_thread_args(Parser& p);

}  // namespace correio::imapd
