// After-queue content filter routing (Postfix's FILTER_README, qmgr_message_resolve()):
// a message with a content filter "transport:destination" goes, for every recipient,
// to that transport and next hop instead of its normal route. Pure functions; fuzzed by
// fuzz/content_filter_fuzz.cpp.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "resolve/resolver.hpp"

namespace correio::resolve {

struct ContentFilter {
  std::string transport;  // a master.cf service name ("smtp", "scan", "lmtp")
  std::string nexthop;    // "[127.0.0.1]:10024"; empty: the recipient's own next hop
};

// Parses "transport:destination" (content_filter, access(5) and header_checks(5)
// FILTER). Errors: no ':' or an empty transport, a transport with white space.
Result<ContentFilter> parse_content_filter(std::string_view value);

// The route for a recipient of a filtered message. `normal` is the recipient's own
// route; its nexthop is kept when the filter names none (access(5) FILTER, note 3:
// "specify an empty filter destination" to override only the transport).
Route filter_route(const ContentFilter& filter, Route normal);

}  // namespace correio::resolve
