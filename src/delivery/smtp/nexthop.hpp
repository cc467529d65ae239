// The smtp agent's destination, from the delivery request's nexthop (Postfix's smtp(8)
// syntax): "domain" (MX lookup), "[host]" (no MX lookup), either with ":port"; and the
// lmtp agent's (lmtp(8)): "unix:/path", "inet:host:port", "[host]:port". Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace correio::delivery::smtp_agent {

struct Nexthop {
  std::string host;  // domain, host name or IP address, without brackets
  unsigned short port = 25;
  bool use_mx = true;     // false for "[host]" (RFC 5321 §5.1 does not apply)
  std::string unix_path;  // LMTP over a UNIX-domain socket: the path, as written
};

// "example.com", "[mx.example.com]:587", "[192.0.2.1]", "[IPv6:2001:db8::1]:25",
// "relay.example:2525". Errors name what is wrong ("bad port in ...").
Result<Nexthop> parse_nexthop(std::string_view text, unsigned short default_port = 25);

// lmtp(8): "unix:PATH" (a relative PATH is under queue_directory, as Postfix's is),
// "inet:host[:port]", "inet:[addr][:port]", and without a prefix the same as inet:. No MX
// lookup ever (MX records are for SMTP only); the default port is lmtp_tcp_port.
Result<Nexthop> parse_lmtp_nexthop(std::string_view text, unsigned short default_port = 24);

}  // namespace correio::delivery::smtp_agent
