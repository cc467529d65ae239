// Which clients get header rewriting (see header_rewrite_clients.hpp).
#include "smtpd/header_rewrite_clients.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include "base/strings.hpp"

namespace correio::smtpd {
namespace {

// The text form of every address on this machine's interfaces, as the connection reports
// a peer ("127.0.0.1", "::1").
std::set<std::string> interface_addresses() {
  std::set<std::string> out = {"127.0.0.1", "::1"};
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr) continue;
    char text[INET6_ADDRSTRLEN] = {};
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      if (::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text)) out.insert(text);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* a = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      if (::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text)) out.insert(text);
    }
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace

Result<HeaderRewriteClients> HeaderRewriteClients::parse(std::string_view list,
                                                         ClientNetworks mynetworks) {
  HeaderRewriteClients c;
  c.networks_ = std::move(mynetworks);
  for (const std::string& item : base::split_any(list, ", \t\r\n")) {
    std::string name = base::to_lower(item);
    if (name == "permit_inet_interfaces") {
      c.inet_interfaces_ = true;
      c.interface_addresses_ = interface_addresses();
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
