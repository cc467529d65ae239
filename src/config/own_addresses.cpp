// This host's own addresses (see own_addresses.hpp).
#include "config/own_addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>

#include "base/strings.hpp"

namespace correio::config {
namespace {

std::string text_of(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address->sa_family == AF_INET) {
    const auto* a = reinterpret_cast<const sockaddr_in*>(address);
    if (::inet_ntop(AF_INET, &a->sin_addr, text, sizeof text)) return text;
  } else if (address->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(address);
    if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr)) return {};
    if (::inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text)) return text;
  }
  return {};
}

// An address literal, or every address a host name resolves to (getaddrinfo, as Postfix's
// inet_addr_host()).
void add_host(std::string_view item, std::set<std::string>& out) {
  std::string host(item);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (::getaddrinfo(host.c_str(), nullptr, &hints, &list) != 0) return;
  for (addrinfo* a = list; a; a = a->ai_next)
    if (std::string text = text_of(a->ai_addr); !text.empty()) out.insert(std::move(text));
  ::freeaddrinfo(list);
}

}  // namespace

std::set<std::string> interface_addresses() {
  std::set<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return {"127.0.0.1", "::1"};
  for (ifaddrs* i = list; i; i = i->ifa_next)
    if (i->ifa_addr)
      if (std::string text = text_of(i->ifa_addr); !text.empty()) out.insert(std::move(text));
  ::freeifaddrs(list);
  return out;
}

std::set<std::string> own_addresses(const std::vector<std::string>& interfaces,
                                    const std::vector<std::string>& proxies) {
  std::set<std::string> out;
  for (const std::string& item : interfaces) {
    std::string word = base::to_lower(item);
    if (word == "all") {
      std::set<std::string> all = interface_addresses();
      out.insert(all.begin(), all.end());
    } else if (word == "loopback-only") {
      out.insert("127.0.0.1");
      out.insert("::1");
    } else {
      add_host(item, out);
    }
  }
  for (const std::string& item : proxies) add_host(item, out);
  return out;
}

}  // namespace correio::config
