// What happens to a new SMTP client before the first reply: its host name is looked up
// (smtpd_peername_lookup, reverse DNS with forward confirmation), "connect from NAME[ADDR]"
// is logged, and smtpd_client_connection_count_limit and smtpd_client_connection_rate_limit
// are applied (Postfix's anvil check): a client over either limit gets
// "421 4.7.0 ... too many connections" and is let go.
// Owned by smtpd's start-up state for the life of the process; one event-loop thread.
#pragma once

#include <asio/awaitable.hpp>
#include <string>

#include "base/log.hpp"
#include "config/config.hpp"
#include "dns/client_name.hpp"
#include "dns/lookup.hpp"
#include "io/connection.hpp"
#include "smtpd/client_networks.hpp"
#include "smtpd/connection_counter.hpp"
#include "smtpd/rate_limits.hpp"

namespace correio::smtpd {

struct AdmissionSettings {
  std::string myhostname;
  std::string service_name;               // master.cf's first column, for the log warning
  long long connection_count_limit = 50;  // 0: no limit
  ClientNetworks limit_exceptions;        // smtpd_client_event_limit_exceptions
  bool peername_lookup = true;            // smtpd_peername_lookup
  bool client_port_logging = false;       // smtpd_client_port_logging: NAME[ADDR]:PORT
  dns::ResolverOptions resolver;          // dns_resolver_servers, dns_resolver_timeout

  static AdmissionSettings from_config(const config::Config& config, std::string service_name);
};

// The outcome for one connection. Keep it for the whole session: it holds the
// connection's place in the count.
struct Admission {
  bool admitted = false;
  std::string client_name = "unknown";
  std::string reverse_name = "unknown";  // the PTR name, forward-confirmed or not
  ConnectionCounter::Slot slot;
};

class ClientAdmission {
 public:
  // `rates` (smtpd_client_connection_rate_limit) must outlive this object.
  ClientAdmission(AdmissionSettings settings, base::Logger& log, RateLimits& rates)
      : settings_(std::move(settings)), log_(log), rates_(rates) {}

  // Logs "connect from"; when refused, has already answered 421 and logged the disconnect.
  asio::awaitable<Admission> admit(io::Connection& connection);

 private:
  asio::awaitable<dns::ClientName> client_name(io::Connection& connection);

  AdmissionSettings settings_;
  base::Logger& log_;
  RateLimits& rates_;
  ConnectionCounter connections_;
};

}  // namespace correio::smtpd
