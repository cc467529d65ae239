// SORT's ordering (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO): the sort criteria a client
// names and the order they put search matches in. Used by SORT and by CONTEXT=SORT updates
// (RFC 5267 §4), which re-sort the context when the mailbox changes. Private to imapd.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "imapd/parser.hpp"
#include "imapd/search_run.hpp"
#include "mailbox/mailbox.hpp"

namespace correio::imapd {

struct SortCriterion {
  std::string key;  // upper-cased: ARRIVAL, CC, DATE, FROM, SIZE, SUBJECT, TO, DISPLAYFROM, ...
  bool reverse = false;
};

// "(" sort-criterion *(SP sort-criterion) ")"; nullopt with p.error() set when invalid.
std::optional<std::vector<SortCriterion>> parse_sort_criteria(Parser& p);

// `matches` ordered by `criteria`, the sequence number as the final tie-break (RFC 5256 §3:
// "the arrival order"). Reads the header blocks the criteria need through the cache.
std::vector<Match> sort_matches(mailbox::Mailbox& box, const std::vector<SortCriterion>& criteria,
                                const std::vector<Match>& matches);

}  // namespace correio::imapd
