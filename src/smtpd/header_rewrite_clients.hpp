// local_header_rewrite_clients (postconf(5)): which SMTP clients get their message headers
// rewritten by cleanup (bare addresses completed, canonical_maps and masquerading in
// headers). Mail from other clients keeps its headers as sent; its envelope is rewritten
// all the same. Built once at smtpd start; read-only afterwards, so thread-safe.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "smtpd/client_networks.hpp"

namespace correio::smtpd {

class HeaderRewriteClients {
 public:
  // Items: permit_inet_interfaces (the addresses of this machine's interfaces),
  // permit_mynetworks, permit_sasl_authenticated, static:all; anything else is refused
  // by name (Correio does not look clients up in tables here yet).
  static Result<HeaderRewriteClients> parse(std::string_view list, ClientNetworks mynetworks);

  bool matches(std::string_view client_address, bool sasl_authenticated) const;

 private:
  bool all_ = false, inet_interfaces_ = false, mynetworks_ = false, sasl_ = false;
  std::set<std::string> interface_addresses_;
  ClientNetworks networks_;
};

}  // namespace correio::smtpd
