// What imapd counts for the metrics exporter: each command's latency, from its line to
// its tagged reply (correio_imap_command_duration_seconds by command; IDLE is left out,
// its length is the client's choice), and TLS handshakes. No-ops unless metrics_enable;
// event-loop thread only (commands that run on the workers are timed around the hop).
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <unordered_map>

#include "metrics/registry.hpp"

namespace correio::imapd {

class CommandMetrics {
 public:
  explicit CommandMetrics(metrics::Registry& registry) : registry_(registry) {}

  void command_done(std::string_view name, std::chrono::steady_clock::duration took);
  void tls_handshake(std::string_view version) { registry_.count_tls_handshake(version); }

 private:
  metrics::Registry& registry_;
  std::unordered_map<std::string, metrics::Histogram> latency_;
};

}  // namespace correio::imapd
