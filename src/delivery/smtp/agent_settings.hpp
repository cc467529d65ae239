// The smtp (and lmtp) agent's settings: the smtp_* parameters of main.cf with the service's
// -o overrides, read once when the daemon starts (Postfix's smtp(8) configuration).
// Plain data: read once, then shared read-only by every delivery of the process.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <set>
#include <string>

#include "base/result.hpp"
#include "cleanup/check_tables.hpp"
#include "cleanup/generic_maps.hpp"
#include "config/config.hpp"
#include "delivery/smtp/address_order.hpp"
#include "delivery/smtp/connection_cache.hpp"
#include "delivery/smtp/dane.hpp"
#include "delivery/smtp/sasl_client.hpp"
#include "delivery/smtp/tls_policy.hpp"
#include "dns/lookup.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

// The most sessions kept for one nexthop when its concurrency has no limit.
inline constexpr size_t kMaxKeptPerNexthop = 1000;

struct AgentSettings {
  smtp::ClientOptions client;               // helo name, time limits, TLS level, LMTP
  bool lmtp = false;                        // the lmtp agent (RFC 2033; lmtp_settings.hpp)
  unsigned short default_port = 25;         // 25, or lmtp_tcp_port for LMTP
  std::string queue_directory;              // for LMTP's relative "unix:private/x"
  std::string myhostname;                   // names a UNIX-domain server in the log
  std::string bind_address, bind_address6;  // smtp_bind_address, smtp_bind_address6
  bool ipv4 = true, ipv6 = true;            // inet_protocols
  bool dns_lookups = true;                  // !disable_dns_lookups
  AddressPreference address_preference = AddressPreference::any;  // smtp_address_preference
  bool randomize_addresses = true;                                // smtp_randomize_addresses
  size_t mx_address_limit = 5;  // smtp_mx_address_limit: addresses tried per delivery; 0: all
  size_t mx_session_limit = 2;  // smtp_mx_session_limit: handshaken sessions; 0: no limit
  // This host's addresses (inet_interfaces, proxy_interfaces) and name: mail whose MX
  // host is this host loops back (Postfix's smtp_find_self; port 25 only, as Postfix).
  std::set<std::string> own_addresses;
  std::string own_hostname;  // myhostname, which a server's EHLO must not name
  // lmtp_assume_final: an LMTP success without DSN is "delivered", not "relayed".
  bool assume_final = false;
  // smtp_host_lookup (host_lookup.cpp): DNS (MX, A/AAAA), the system's naming service, or
  // DNS then native; disable_dns_lookups = yes means native only, as in Postfix.
  bool host_dns = true, host_native = false;
  size_t recipient_limit = 50;                     // SERVICE_destination_recipient_limit
  int tls_loglevel = 0;                            // smtp_tls_loglevel
  std::chrono::seconds tls_session_timeout{3600};  // smtp_tls_session_cache_timeout
  std::chrono::seconds cache_time_limit{2};        // smtp_connection_cache_time_limit
  ReuseLimits reuse_limits;  // smtp_connection_reuse_count_limit, smtp_connection_reuse_time_limit
  // Sessions kept per nexthop: SERVICE_destination_concurrency_limit, the most qmgr runs
  // at once (0, no limit: kMaxKeptPerNexthop).
  size_t cache_per_nexthop = 20;
  // The whole request's limit, below qmgr's wait for the agent (daemon_timeout): a slow
  // peer must not outlast qmgr, which would defer mail the agent then delivers.
  std::chrono::seconds request_time_limit{16200};
  dns::ResolverOptions resolver;  // dns_resolver_servers, dns_resolver_timeout, dnssec
  // smtp_tls_dane_insecure_mx_policy (the DANE decision itself: dane.hpp).
  InsecureMxPolicy dane_insecure_mx = InsecureMxPolicy::dane;
  bool mta_sts = false;  // smtp_tls_mta_sts_enable (Correio's own; mta_sts.hpp)
  // smtp_tls_mta_sts_cache_directory (Correio's own; mta_sts_store.hpp); empty: memory only.
  std::string mta_sts_cache_directory;
  TlsSettings tls;    // smtp_tls_security_level, smtp_tls_policy_maps and the smtp_tls_* rest
  SaslSettings sasl;  // SMTP AUTH (smtp_sasl_auth_enable and the smtp_sasl_* rest)
  // smtp_generic_maps: addresses rewritten on the way out; null when not configured.
  std::shared_ptr<cleanup::GenericMaps> generic;
  // smtp_header_checks and the rest (content_checks.hpp); null when none is configured.
  // Opened by the daemon at start, with its logger.
  std::shared_ptr<cleanup::CheckTables> checks;
};

// Reads the smtp_* parameters of `config` (main.cf with the service's -o overrides);
// `service` is the master.cf service name ("smtp", "relay") for the recipient limit.
Result<AgentSettings> agent_settings_from_config(const config::Config& config,
                                                 const std::string& service);

}  // namespace correio::delivery::smtp_agent
