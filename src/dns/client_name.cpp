// Reverse lookup plus forward confirmation of a client address (Postfix smtpd_peer.c's
// rules: an unverifiable name is "unknown", with a warning naming the reason).
#include "dns/client_name.hpp"

#include <arpa/inet.h>
#include <sys/socket.h>

#include <cctype>
#include <cstring>

namespace correio::dns {
namespace {

struct Binary {
  int family = 0;
  unsigned char bytes[16] = {};
};

bool to_binary(std::string_view text, Binary& out) {
  std::string s(text);
  if (inet_pton(AF_INET, s.c_str(), out.bytes) == 1) {
    out.family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), out.bytes) == 1) {
    out.family = AF_INET6;
    return true;
  }
  return false;
}

}  // namespace

asio::awaitable<ClientName> verified_client_name(Lookup& lookup, std::string_view address) {
  ClientName result;
  Binary binary;
  if (!to_binary(address, binary)) co_return result;
  Answer names = co_await lookup.names_of(address);
  if (names.outcome != Outcome::found) co_return result;
  std::string name = names.items.front();
  if (!name.empty() && name.back() == '.') name.pop_back();
  if (!valid_hostname(name)) {
    result.warning = "numeric or malformed hostname: " + name;
    co_return result;
  }
  Answer addresses = co_await lookup.addresses_of(name, binary.family);
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
