// qmgr's delivery counts (see delivery_metrics.hpp).
#include "qmgr/delivery_metrics.hpp"

namespace correio::qmgr {

DeliveryMetrics::PerTransport& DeliveryMetrics::of(const std::string& transport) {
  auto it = transports_.find(transport);
  if (it != transports_.end()) return it->second;
  std::string t = metrics::label("transport", transport);
  auto status = [&](std::string_view s) {
    return registry_.counter("correio_deliveries_total", t + "," + metrics::label("status", s));
  };
  PerTransport counters{status("sent"), status("deferred"), status("bounced"),
                        registry_.histogram("correio_delivery_delay_seconds", t)};
  return transports_.emplace(transport, std::move(counters)).first->second;
}

void DeliveryMetrics::record(const std::string& transport,
                             const std::vector<delivery::RecipientResult>& results,
                             int64_t arrival_us, int64_t now_us) {
  if (!registry_.enabled() || results.empty()) return;
  PerTransport& counters = of(transport);
  for (const auto& r : results) {
    switch (r.status) {
      case delivery::DeliveryStatus::sent:
        counters.sent.add();
        counters.delay.observe(std::chrono::microseconds(now_us - arrival_us));
        break;
      case delivery::DeliveryStatus::deferred:
        counters.deferred.add();
        break;
      case delivery::DeliveryStatus::bounced:
        counters.bounced.add();
        break;
    }
  }
}

}  // namespace correio::qmgr
