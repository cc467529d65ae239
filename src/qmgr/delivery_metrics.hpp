// What qmgr counts for the metrics exporter: finished recipient deliveries by transport
// and status (correio_deliveries_total) and the arrival-to-delivery time of the sent ones
// (correio_delivery_delay_seconds). No-ops unless metrics_enable; event-loop thread only.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "delivery/protocol.hpp"
#include "metrics/registry.hpp"

namespace correio::qmgr {

class DeliveryMetrics {
 public:
  explicit DeliveryMetrics(metrics::Registry& registry) : registry_(registry) {}

  // One destination's results; `arrival_us` is the message's arrival time.
  void record(const std::string& transport, const std::vector<delivery::RecipientResult>& results,
              int64_t arrival_us, int64_t now_us);

 private:
  struct PerTransport {
    metrics::Counter sent, deferred, bounced;
    metrics::Histogram delay;
  };
  PerTransport& of(const std::string& transport);

  metrics::Registry& registry_;
  std::map<std::string, PerTransport> transports_;
};

}  // namespace correio::qmgr
