// libFuzzer target for the resolver's parsers: the text of a "/file" domain list, a
// domain-list value with inline: tables matched against a domain, and address splitting
// (with and without dequoting), as an SMTP client or a main.cf line could feed them, and
// a transport(5) result as a transport_maps or sender_dependent_*_maps table returns it,
// and a content filter "transport:destination" (content_filter, FILTER actions).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "resolve/address.hpp"
#include "resolve/content_filter.hpp"
#include "resolve/domain_list.hpp"
#include "resolve/transport_table.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)correio::resolve::parse_domain_list_file(text);
  for (bool dequote : {true, false}) {
    auto parts = correio::resolve::split_address(text, dequote);
    (void)correio::resolve::join_address(parts.local, parts.domain);
    (void)correio::resolve::base_local_part(parts.local, "+-");
  }
  std::string transport = "smtp", nexthop = "[relay.example]";
  correio::resolve::apply_transport_entry(text, "Example.COM", transport, nexthop);
  (void)correio::resolve::split_error_text(text, "5.0.0");
  if (auto filter = correio::resolve::parse_content_filter(text); filter.ok())
    (void)correio::resolve::filter_route(*filter, correio::resolve::Route{});
  // Files ("/...", "texthash:/...") are not opened from fuzz input (/dev/stdin would
  // block): only names, ".parent" names and inline:/static: tables.
  if (text.find('/') == std::string_view::npos) {
    auto list = correio::resolve::DomainList::open("fuzz", text, size % 2 == 0);
    if (list.ok()) (void)list->contains("sub.example.com");
  }
  return 0;
}
