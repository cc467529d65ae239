// CIDR matching for mynetworks-style lists (IPv4, IPv6, "[::1]/128" bracket form).
#include "smtpd/client_networks.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstring>
#include <fstream>

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

// "cidr:/etc/x", "hash:/etc/x": a type name before the colon (an IPv6 address has hex
// digits or nothing there, and parses as an address first).
bool looks_like_table(std::string_view item) {
  size_t colon = item.find(':');
  if (colon == std::string_view::npos || colon < 2) return false;
  for (char c : item.substr(0, colon))
    if (!(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) return false;
  return true;
}

constexpr size_t kMaxNetworkFile = 1 << 20;
constexpr int kMaxFileDepth = 8;

Result<std::string> read_network_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{"open " + path + ": " + std::strerror(errno)};
  std::string text(kMaxNetworkFile + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (text.size() > kMaxNetworkFile) return Error{path + ": file too large"};
  // "#" starts a comment to the end of the line.
  std::string out;
  for (const auto& line : base::split_any(text, "\n")) out += line.substr(0, line.find('#')) + "\n";
  return out;
}

}  // namespace

Result<ClientNetworks> ClientNetworks::parse(std::string_view list) {
  ClientNetworks out;
  if (Status s = out.add(list, 0); !s) return s.error();
  return out;
}

Status ClientNetworks::add(std::string_view list, int depth) {
  for (std::string item : base::split_list(list)) {
    if (item.starts_with('/')) {
      if (depth >= kMaxFileDepth) return Error{item + ": files nested too deep"};
      auto text = read_network_file(item);
      if (!text) return text.error();
      if (Status s = add(*text, depth + 1); !s) return Error{item + ": " + s.error().message};
      continue;
    }
    // "[::1]/128": the brackets enclose the address only.
    std::string address = item, prefix_text;
    size_t slash = item.rfind('/');
    if (slash != std::string::npos) {
      address = item.substr(0, slash);
      prefix_text = item.substr(slash + 1);
    }
    Network net{};
    if (!parse_address(address, net.bytes, &net.length)) {
      if (looks_like_table(item))
        return Error{"table lookups are not supported here: " + item +
                     " (list the networks, or name a /file of them)"};
      return Error{"bad network address: " + item};
    }
    net.prefix = net.length * 8;
    if (!prefix_text.empty()) {
      auto p = base::parse_int(prefix_text);
      if (!p || *p > net.length * 8) return Error{"bad network prefix: " + item};
      net.prefix = static_cast<int>(*p);
    }
    networks_.push_back(net);
  }
  return {};
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
