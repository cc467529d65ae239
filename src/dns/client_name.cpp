// Reverse lookup plus forward confirmation of a client address (Postfix smtpd_peer.c's
// rules: an unverifiable name is "unknown", with a warning naming the reason).
#include "dns/client_name.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>

#include "dns/name_checks.hpp"

namespace correio::dns {

asio::awaitable<ClientName> verified_client_name(Lookup& lookup, std::string_view address) {
  ClientName result;
  int family = address_family(address);
  if (family == 0) co_return result;
  Answer names = co_await lookup.names_of(address);
  if (names.outcome != Outcome::found) co_return result;
  std::string name = names.items.front();
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (!valid_hostname(name)) {
    result.warning = "numeric or malformed hostname: " + name;
    co_return result;
  }
  result.reverse_name = name;
  Answer addresses = co_await lookup.addresses_of(name, family);
  if (addresses.outcome != Outcome::found) {
    result.warning = "hostname " + name + " does not resolve to address " + std::string(address) +
                     ": " + (addresses.error.empty() ? "no address" : addresses.error);
    co_return result;
  }
  if (!address_listed(address, addresses.items)) {
    result.warning = "hostname " + name + " does not resolve to address " + std::string(address);
    co_return result;
  }
  result.name = name;
  co_return result;
}

}  // namespace correio::dns
