// The verified host name of an SMTP client, as Postfix's smtpd finds it: the PTR name of
// the address, kept only when that name resolves back to the same address (forward
// confirmation); otherwise "unknown". Used in "connect from NAME[ADDR]", "client=" and
// the Received: header.
#pragma once

#include <asio/awaitable.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "dns/lookup.hpp"
#include "dns/name_checks.hpp"

namespace correio::dns {

struct ClientName {
  std::string name = "unknown";
  // The PTR name whether or not it resolves back (Postfix's reverse_client_name), for
  // reject_unknown_reverse_client_hostname and friends; "unknown" when there is none.
  std::string reverse_name = "unknown";
  // Postfix's warning when a PTR name was found but is not usable ("hostname X does not
  // resolve to address Y"); empty otherwise.
  std::string warning;
};

asio::awaitable<ClientName> verified_client_name(Lookup& lookup, std::string_view address);

}  // namespace correio::dns
