// The RETURN options SEARCH and SORT share (RFC 4731 ESEARCH, RFC 5267 ESORT, RFC 5182
// SAVE, RFC 9394 PARTIAL) and the ESEARCH response they ask for. Pure functions over
// parsed values; private to imapd.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imapd/parser.hpp"

namespace correio::imapd {

// RFC 9394 §4: partial-range-first ("1:100", positions counted from the lowest result) or
// partial-range-last ("-1:-100", counted from the highest); either order of the bounds.
struct PartialRange {
  uint32_t low = 1;  // 1-based position, low <= high
  uint32_t high = 1;
  bool from_end = false;
  std::string text;  // as the client wrote it: echoed in the response
};

// "1:100" / "-1:-100"; nullopt for 0, "*", mixed signs, a single number or > 32 bits.
std::optional<PartialRange> parse_partial_range(std::string_view text);

// The results at the range's positions of `results` (in result order: ascending for
// SEARCH, the sort order for SORT), in that order.
std::vector<uint32_t> partial_window(const std::vector<uint32_t>& results,
                                     const PartialRange& range);

struct ReturnOptions;

// The positions (0-based, ascending, no repeats) of the results that the options return:
// every result when ALL or COUNT is asked or no MIN, MAX or PARTIAL; otherwise the first
// for MIN, the last for MAX and PARTIAL's window. RFC 4731 §3.2 describes these messages by
// the MODSEQ result, RFC 5182 §2.4 SAVEs them.
std::vector<size_t> returned_positions(size_t results, const ReturnOptions& options);

struct ReturnOptions {
  bool min = false, max = false, all = false, count = false, save = false;
  bool update = false;   // CONTEXT=SEARCH UPDATE (RFC 5267 §4)
  bool context = false;  // RFC 5267 §4.1 CONTEXT: a hint, nothing to do
  std::optional<PartialRange> partial;
  // Whether the client asked for any data in an ESEARCH response (SAVE alone asks none).
  bool wants_data() const { return min || max || all || count || partial; }
};

// Parses "(" [option *(SP option)] ")" after "RETURN SP". An empty list (or CONTEXT
// alone) means ALL (RFC 4731 §3.1); UPDATE or SAVE alone ask for no data, as in Dovecot.
// PARTIAL and ALL exclude each other and no option may repeat (RFC 9394 §3.1). SAVE only
// for SEARCH (`search`); UPDATE and CONTEXT for SEARCH and SORT (RFC 5267 §4.2). On failure returns
// nullopt, p.error() set.
std::optional<ReturnOptions> parse_return_options(Parser& p, bool search);

// The ESEARCH response data after `(TAG "x")` [UID]: MIN, MAX, ALL, PARTIAL, COUNT over
// `results` in result order. `sorted_all` says ALL is written in ascending order (SEARCH)
// rather than in result order (SORT, RFC 5267 §3.2).
std::string esearch_return_data(const std::vector<uint32_t>& results, const ReturnOptions& options,
                                bool sorted_all);

}  // namespace correio::imapd
