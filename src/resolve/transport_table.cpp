// transport_maps lookups and results (see transport_table.hpp), after Postfix's
// trivial-rewrite/transport.c and the TABLE SEARCH ORDER of transport(5).
#include "resolve/transport_table.hpp"

#include "base/strings.hpp"
#include "resolve/address.hpp"

namespace correio::resolve {

void apply_transport_entry(std::string_view value, std::string_view domain, std::string& transport,
                           std::string& nexthop) {
  size_t colon = value.find(':');
  std::string_view new_transport = value.substr(0, colon);
  std::string_view new_nexthop =
      colon == std::string_view::npos ? std::string_view() : value.substr(colon + 1);
  // transport(5): a null transport keeps the class's transport, and its nexthop unless
  // one is given; ":" alone is a no-op (the "internal destinations" idiom).
  if (new_transport.empty()) {
    if (!new_nexthop.empty()) nexthop = new_nexthop;
    return;
  }
  // A transport without a nexthop resets the nexthop to the recipient domain: nexthop
  // syntax is transport specific, so the class's nexthop (relayhost, a socket path)
  // would be wrong for the new transport. The error transport's nexthop is its text.
  transport = new_transport;
  if (!new_nexthop.empty())
    nexthop = new_nexthop;
  else if (transport == "error")
    nexthop = "Address is undeliverable";
  else
    nexthop = base::to_lower(domain);
}

ErrorText split_error_text(std::string_view nexthop, std::string_view default_dsn) {
  size_t space = nexthop.find(' ');
  std::string_view code = nexthop.substr(0, space);
  // The code must be of the default's class: 5.x.x for error, 4.x.x for retry.
  if (space == std::string_view::npos || code.size() < 5 || default_dsn.empty() ||
      code[0] != default_dsn[0] || code[1] != '.' ||
      code.find_first_not_of("0123456789.") != std::string_view::npos)
    return {std::string(default_dsn), std::string(nexthop)};
  return {std::string(code), std::string(nexthop.substr(space + 1))};
}

TransportTable::TransportTable(std::shared_ptr<maps::Map> maps, bool parent_style,
                               std::string delimiters)
    : maps_(std::move(maps)), parent_style_(parent_style), delimiters_(std::move(delimiters)) {}

Result<bool> TransportTable::try_key(std::string_view key, std::string_view domain, bool partial,
                                     std::string& transport, std::string& nexthop) {
  // transport(5): pattern tables see the full address only (and "*").
  auto found = partial ? maps_->lookup_partial(key) : maps_->lookup(key);
  if (!found) return found.error();
  if (!*found) return false;
  apply_transport_entry(**found, domain, transport, nexthop);
  return true;
}

Result<bool> TransportTable::apply(std::string_view address, std::string& transport,
                                   std::string& nexthop) {
  if (!maps_) return false;
  size_t at = address.rfind('@');
  std::string_view local = address.substr(0, at);
  std::string_view domain = at == std::string_view::npos ? "" : address.substr(at + 1);
  if (!domain.empty() && domain.back() == '.') domain.remove_suffix(1);

  // user+ext@domain, then user@domain.
  auto found = try_key(address, domain, false, transport, nexthop);
  if (!found || *found) return found;
  if (std::string base = base_local_part(local, delimiters_); base != local && !domain.empty()) {
    found = try_key(base + "@" + std::string(domain), domain, true, transport, nexthop);
    if (!found || *found) return found;
  }
  // a.b.example, then .b.example, .example (or b.example, example in parent style).
  for (std::string_view name = domain; !name.empty();) {
    found = try_key(name, domain, true, transport, nexthop);
    if (!found || *found) return found;
    size_t dot = name.find('.', 1);
    if (dot == std::string_view::npos) break;
    name = name.substr(parent_style_ ? dot + 1 : dot);
  }
  // The wildcard matches every address, local ones included (transport(5) lists null
  // entries for the domains it must not touch).
  return try_key("*", domain, false, transport, nexthop);
}

}  // namespace correio::resolve
