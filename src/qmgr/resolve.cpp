// Recipient to transport resolution, Postfix's address classes (ADDRESS_CLASS_README).
#include "qmgr/resolve.hpp"

#include "base/strings.hpp"

namespace correio::qmgr {
namespace {

bool listed(const std::vector<std::string>& domains, std::string_view domain) {
  for (const auto& d : domains)
    if (base::iequals(d, domain)) return true;
  return false;
}

}  // namespace

Route parse_transport(std::string_view value) {
  value = base::trim(value);
  size_t colon = value.find(':');
  if (colon == std::string_view::npos) return {std::string(value), ""};
  return {std::string(value.substr(0, colon)), std::string(value.substr(colon + 1))};
}

Resolver::Resolver(const config::Config& config)
    : local_domains_(config.get_list("mydestination")),
      virtual_domains_(config.get_list("virtual_mailbox_domains")),
      relay_domains_(config.get_list("relay_domains")),
      local_transport_(config.get("local_transport")),
      virtual_transport_(config.get("virtual_transport")),
      relay_transport_(config.get("relay_transport")),
      default_transport_(config.get("default_transport")) {}

Route Resolver::resolve(std::string_view recipient) const {
  size_t at = recipient.rfind('@');
  std::string domain =
      at == std::string_view::npos ? std::string() : base::to_lower(recipient.substr(at + 1));
  // A bare local part (no domain) is local, as Postfix treats it after myorigin rewriting.
  if (domain.empty() || listed(local_domains_, domain)) {
    Route r = parse_transport(local_transport_);
    if (r.nexthop.empty()) r.nexthop = domain;
    return r;
  }
  if (listed(virtual_domains_, domain)) return parse_transport(virtual_transport_);
  Route r = parse_transport(listed(relay_domains_, domain) ? relay_transport_ : default_transport_);
  if (r.nexthop.empty()) r.nexthop = domain;
  return r;
}

}  // namespace correio::qmgr
