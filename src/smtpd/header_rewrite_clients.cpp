// Which clients get header rewriting (see header_rewrite_clients.hpp).
#include "smtpd/header_rewrite_clients.hpp"

#include "base/strings.hpp"
#include "config/own_addresses.hpp"

namespace correio::smtpd {

Result<HeaderRewriteClients> HeaderRewriteClients::parse(std::string_view list,
                                                         ClientNetworks mynetworks) {
  HeaderRewriteClients c;
  c.networks_ = std::move(mynetworks);
  for (const std::string& item : base::split_any(list, ", \t\r\n")) {
    std::string name = base::to_lower(item);
    if (name == "permit_inet_interfaces") {
      c.inet_interfaces_ = true;
      c.interface_addresses_ = config::interface_addresses();
    } else if (name == "permit_mynetworks") {
      c.mynetworks_ = true;
    } else if (name == "permit_sasl_authenticated") {
      c.sasl_ = true;
    } else if (name == "static:all") {
      c.all_ = true;
    } else {
      return Error{"local_header_rewrite_clients: \"" + item +
                   "\" is not supported (permit_inet_interfaces, permit_mynetworks, "
                   "permit_sasl_authenticated or static:all)"};
    }
  }
  return c;
}

bool HeaderRewriteClients::matches(std::string_view client_address, bool sasl_authenticated) const {
  if (all_) return true;
  if (sasl_ && sasl_authenticated) return true;
  std::string_view address = client_address;
  if (address.starts_with("::ffff:")) address.remove_prefix(7);  // IPv4-mapped
  if (inet_interfaces_ && interface_addresses_.count(std::string(address))) return true;
  return mynetworks_ && networks_.contains(address);
}

}  // namespace correio::smtpd
