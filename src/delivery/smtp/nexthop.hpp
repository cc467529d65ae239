// The smtp agent's destination, from the delivery request's nexthop (Postfix's smtp(8)
// syntax): "domain" (MX lookup), "[host]" (no MX lookup), either with ":port". Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::delivery::smtp_agent {

struct Nexthop {
  std::string host;  // domain, host name or IP address, without brackets
  unsigned short port = 25;
  bool use_mx = true;  // false for "[host]" (RFC 5321 §5.1 does not apply)
};

// "example.com", "[mx.example.com]:587", "[192.0.2.1]", "[IPv6:2001:db8::1]:25",
// "relay.example:2525". Errors name what is wrong ("bad port in ...").
Result<Nexthop> parse_nexthop(std::string_view text, unsigned short default_port = 25);

}  // namespace correio::delivery::smtp_agent
