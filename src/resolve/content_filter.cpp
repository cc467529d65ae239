// content_filter / FILTER routing: see content_filter.hpp.
#include "resolve/content_filter.hpp"

#include "base/strings.hpp"

namespace correio::resolve {

Result<ContentFilter> parse_content_filter(std::string_view value) {
  value = base::trim(value);
  size_t colon = value.find(':');
  // postconf(5) content_filter and access(5) FILTER both want "transport:destination";
  // Postfix's cleanup refuses a FILTER without the colon ("need transport:destination").
  if (colon == std::string_view::npos || colon == 0)
    return Error{"content filter \"" + std::string(value) + "\": need transport:destination"};
  ContentFilter filter{std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
  if (filter.transport.find_first_of(" \t") != std::string::npos)
    return Error{"content filter \"" + std::string(value) + "\": bad transport name"};
  return filter;
}

Route filter_route(const ContentFilter& filter, Route normal) {
  // qmgr_message_resolve(): the filter replaces transport and nexthop for every class;
  // the recipient address goes unchanged (the filter re-injects it).
  normal.transport = filter.transport;
  if (!filter.nexthop.empty()) normal.nexthop = filter.nexthop;
  return normal;
}

}  // namespace correio::resolve
