// Parsing the smtp agent's nexthop (see nexthop.hpp).
#include "delivery/smtp/nexthop.hpp"

#include "base/strings.hpp"

namespace correio::delivery::smtp_agent {

Result<Nexthop> parse_nexthop(std::string_view text, unsigned short default_port) {
  Nexthop out;
  out.port = default_port;
  std::string_view rest = base::trim(text);
  std::string_view port;
  if (rest.starts_with("[")) {
    size_t close = rest.find(']');
    if (close == std::string_view::npos)
      return Error{"missing ']' in nexthop " + std::string(text)};
    out.host = std::string(rest.substr(1, close - 1));
    out.use_mx = false;
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after[0] != ':') return Error{"bad nexthop " + std::string(text)};
      port = after.substr(1);
    }
    // RFC 5321 §4.1.3 address literal "[IPv6:...]".
    if (out.host.size() > 5 && base::to_lower(out.host.substr(0, 5)) == "ipv6:")
      out.host = out.host.substr(5);
  } else {
    // "host:port"; a bare IPv6 address must be bracketed.
    size_t colon = rest.find(':');
    out.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (out.host.empty()) return Error{"empty host in nexthop " + std::string(text)};
  if (!port.empty()) {
    auto n = base::parse_int(port);
    if (!n || *n <= 0 || *n > 65535) return Error{"bad port in nexthop " + std::string(text)};
    out.port = static_cast<unsigned short>(*n);
  }
  return out;
}

Result<Nexthop> parse_lmtp_nexthop(std::string_view text, unsigned short default_port) {
  std::string_view rest = base::trim(text);
  if (rest.starts_with("unix:")) {
    Nexthop out;
    out.unix_path = std::string(rest.substr(5));
    out.use_mx = false;
    if (out.unix_path.empty()) return Error{"empty socket path in nexthop " + std::string(text)};
    return out;
  }
  if (rest.starts_with("inet:")) rest.remove_prefix(5);
  auto out = parse_nexthop(rest, default_port);
  if (out) out->use_mx = false;
  return out;
}

}  // namespace correio::delivery::smtp_agent
