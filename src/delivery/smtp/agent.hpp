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
#include "cleanup/check_tables.hpp"
#include "cleanup/generic_maps.hpp"
#include "config/config.hpp"
#include "delivery/protocol.hpp"
#include "delivery/smtp/address_order.hpp"
#include "delivery/smtp/agent_settings.hpp"
#include "delivery/smtp/connection_cache.hpp"
#include "delivery/smtp/dane.hpp"
#include "delivery/smtp/mta_sts.hpp"
#include "delivery/smtp/sasl_client.hpp"
#include "delivery/smtp/tls_policy.hpp"
#include "dns/lookup.hpp"
#include "dns/native_lookup.hpp"
#include "dns/shared_lookup.hpp"
#include "maps/map.hpp"
#include "smtp/client_session.hpp"

namespace correio::delivery::smtp_agent {

struct AgentContext {
  AgentSettings settings;
  base::Logger& log;
  asio::any_io_executor executor;
  dns::SharedLookup& lookups;                   // the io_context's resolver channel
  std::shared_ptr<asio::ssl::context> tls;      // when any destination may use TLS
  std::mt19937 random{std::random_device{}()};  // MX order among equal preferences
  // Before `cache`: kept connections' SSL objects call into it until they are freed.
  std::unique_ptr<tls::ClientSessionCache> sessions = nullptr;
  std::unique_ptr<ConnectionCache> cache = nullptr;     // sessions kept between requests
  std::unique_ptr<dns::NativeLookup> native = nullptr;  // for smtp_host_lookup = native
  StsCache sts = StsCache();                            // MTA-STS policies by domain
};

asio::awaitable<std::vector<RecipientResult>> deliver(const DeliveryRequest& request,
                                                      AgentContext& context);

}  // namespace correio::delivery::smtp_agent
