// The smtp delivery agent's work (Postfix's smtp(8)): for one delivery request, find the
// servers of the nexthop (MX or the bracketed host), try them in order until one answers,
// send the message to them in transactions of at most smtp_destination_recipient_limit
// recipients, and return one result per recipient, logging Postfix's line for each
// ("relay=mx.example[192.0.2.1]:25, ... status=sent (250 2.0.0 Ok: queued as X)").
// Not thread-safe: one AgentContext per event loop; any number of deliver() coroutines on it.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "base/result.hpp"
#include "config/config.hpp"
#include "delivery/protocol.hpp"
#include "delivery/smtp/connection_cache.hpp"
#include "dns/lookup.hpp"
#include "dns/native_lookup.hpp"
#include "dns/shared_lookup.hpp"
#include "maps/map.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

struct AgentSettings {
  smtp::ClientOptions client;               // helo name, time limits, TLS level, LMTP
  bool lmtp = false;                        // the lmtp agent (RFC 2033; lmtp_settings.hpp)
  unsigned short default_port = 25;         // 25, or lmtp_tcp_port for LMTP
  std::string queue_directory;              // for LMTP's relative "unix:private/x"
  std::string myhostname;                   // names a UNIX-domain server in the log
  std::string bind_address, bind_address6;  // smtp_bind_address, smtp_bind_address6
  bool ipv4 = true, ipv6 = true;            // inet_protocols
  bool dns_lookups = true;                  // !disable_dns_lookups
  // smtp_host_lookup (host_lookup.cpp): DNS (MX, A/AAAA), the system's naming service, or
  // DNS then native; disable_dns_lookups = yes means native only, as in Postfix.
  bool host_dns = true, host_native = false;
  size_t recipient_limit = 50;               // SERVICE_destination_recipient_limit
  int tls_loglevel = 0;                      // smtp_tls_loglevel
  std::chrono::seconds cache_time_limit{2};  // smtp_connection_cache_time_limit
  // The whole request's limit, below qmgr's wait for the agent (daemon_timeout): a slow
  // peer must not outlast qmgr, which would defer mail the agent then delivers.
  std::chrono::seconds request_time_limit{16200};
  dns::ResolverOptions resolver;             // dns_resolver_servers, dns_resolver_timeout
  // Set when smtp_tls_security_level asks for what is not built yet (verify, secure,
  // dane, fingerprint): mail is deferred with this text rather than sent unverified.
  std::string unsupported_tls;
  // SMTP AUTH (smtp_sasl_auth_enable): "user:password" from smtp_sasl_password_maps by
  // "[host]:port", "[host]", server name, nexthop domain; PLAIN and LOGIN only where
  // smtp_sasl_security_options (smtp_sasl_tls_security_options under TLS) allow plaintext.
  std::shared_ptr<maps::Map> sasl_passwords;  // null: no AUTH
  bool sasl_plaintext = false, sasl_tls_plaintext = false;
};

// Reads the smtp_* parameters of `config` (main.cf with the service's -o overrides);
// `service` is the master.cf service name ("smtp", "relay") for the recipient limit.
Result<AgentSettings> agent_settings_from_config(const config::Config& config,
                                                 const std::string& service);

struct AgentContext {
  AgentSettings settings;
  base::Logger& log;
  asio::any_io_executor executor;
  dns::SharedLookup& lookups;                           // the io_context's resolver channel
  std::shared_ptr<asio::ssl::context> tls;              // for smtp_tls_security_level may/encrypt
  std::mt19937 random{std::random_device{}()};          // MX order among equal preferences
  std::unique_ptr<ConnectionCache> cache = nullptr;     // sessions kept between requests
  std::unique_ptr<dns::NativeLookup> native = nullptr;  // for smtp_host_lookup = native
};

asio::awaitable<std::vector<RecipientResult>> deliver(const DeliveryRequest& request,
                                                      AgentContext& context);

}  // namespace correio::delivery::smtp_agent
