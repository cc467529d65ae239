// imapd's command latency histograms (see command_metrics.hpp).
#include "imapd/command_metrics.hpp"

namespace correio::imapd {

void CommandMetrics::command_done(std::string_view name, std::chrono::steady_clock::duration took) {
  if (!registry_.enabled() || name == "IDLE") return;
  auto it = latency_.find(std::string(name));
  if (it == latency_.end())
    it =
        latency_
            .emplace(std::string(name), registry_.histogram("correio_imap_command_duration_seconds",
                                                            metrics::label("command", name)))
            .first;
  it->second.observe(std::chrono::duration_cast<std::chrono::microseconds>(took));
}

}  // namespace correio::imapd
