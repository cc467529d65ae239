// CIDR matching for mynetworks-style lists (IPv4, IPv6, "[::1]/128" bracket form).
#include "smtpd/client_networks.hpp"

#include <arpa/inet.h>

#include <cstring>

#include "base/strings.hpp"

namespace correio::smtpd {
namespace {

bool parse_address(std::string_view text, unsigned char* bytes, int* length) {
  std::string s(text);
  if (s.size() >= 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  if (inet_pton(AF_INET, s.c_str(), bytes) == 1) {
    *length = 4;
    return true;
  }
  if (inet_pton(AF_INET6, s.c_str(), bytes) == 1) {
    // An IPv4-mapped IPv6 address matches as IPv4.
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(bytes, mapped, 12) == 0) {
      std::memmove(bytes, bytes + 12, 4);
      *length = 4;
    } else {
      *length = 16;
    }
    return true;
  }
  return false;
}

}  // namespace

Result<ClientNetworks> ClientNetworks::parse(std::string_view list) {
  ClientNetworks out;
  for (std::string item : base::split_list(list)) {
    // "[::1]/128": the brackets enclose the address only.
    std::string address = item, prefix_text;
    size_t slash = item.rfind('/');
    if (slash != std::string::npos) {
      address = item.substr(0, slash);
      prefix_text = item.substr(slash + 1);
    }
    Network net{};
    if (!parse_address(address, net.bytes, &net.length))
      return Error{"bad network address: " + item};
    net.prefix = net.length * 8;
    if (!prefix_text.empty()) {
      auto p = base::parse_int(prefix_text);
      if (!p || *p > net.length * 8) return Error{"bad network prefix: " + item};
      net.prefix = static_cast<int>(*p);
    }
    out.networks_.push_back(net);
  }
  return out;
}

bool ClientNetworks::contains(std::string_view address) const {
  unsigned char bytes[16];
  int length = 0;
  if (!parse_address(address, bytes, &length)) return false;
  for (const auto& net : networks_) {
    if (net.length != length) continue;
    int full = net.prefix / 8, rest = net.prefix % 8;
    if (std::memcmp(net.bytes, bytes, full) != 0) continue;
    if (rest) {
      unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
      if ((net.bytes[full] & mask) != (bytes[full] & mask)) continue;
    }
    return true;
  }
  return false;
}

}  // namespace correio::smtpd
