// LIST's arguments (RFC 9051 §6.3.9, RFC 5258 LIST-EXTENDED selection and RETURN options,
// RFC 5819 RETURN (STATUS ...)) parsed into values: a pure parser with no session state.
// Private to imapd.
#pragma once

#include <string>
#include <vector>

#include "base/result.hpp"
#include "imapd/list_selection.hpp"
#include "imapd/parser.hpp"

namespace correio::imapd {

struct ListArgs {
  ListRequest request;
  std::vector<std::string> status_items;  // RETURN (STATUS (...)): the STATUS items
};

// "[(selection options) SP] reference SP (pattern | (patterns)) [SP RETURN (options)]",
// or the text of the BAD reply.
Result<ListArgs> parse_list_args(Parser& p);

}  // namespace correio::imapd
