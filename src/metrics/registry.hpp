// What a daemon process counts with, for the Prometheus endpoint (issue 18): counters
// shared by every process of one master.cf service (SERVICE.counters), and gauges of this
// process alone (SERVICE.PID.gauges, removed at exit; a dead process's file is ignored
// and removed by the reader), both in metrics_directory. Every sample carries the
// service's name as its `service` label.
//
// With metrics_enable = no (the default) a Registry is disabled: every handle it gives is
// a no-op, so daemons count unconditionally. Owned by the daemon; handles are used from
// the thread that got them (the values themselves are atomic across processes).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/log.hpp"
#include "config/config.hpp"
#include "metrics/counter_file.hpp"

namespace correio::metrics {

// A monotonic count.
class Counter {
 public:
  Counter() = default;
  explicit Counter(uint64_t* value) : value_(value) {}
  void add(uint64_t n = 1) const {
    if (value_) std::atomic_ref<uint64_t>(*value_).fetch_add(n, std::memory_order_relaxed);
  }

 private:
  uint64_t* value_ = nullptr;  // in a shared mapping; null: not counted
};

// A value that goes up and down (stored as two's complement, read as signed).
class Gauge {
 public:
  Gauge() = default;
  explicit Gauge(uint64_t* value) : value_(value) {}
  void add(int64_t n) const {
    if (value_)
      std::atomic_ref<uint64_t>(*value_).fetch_add(static_cast<uint64_t>(n),
                                                   std::memory_order_relaxed);
  }

 private:
  uint64_t* value_ = nullptr;  // in this process's gauge file; null: not counted
};

// Durations in seconds with fixed cumulative buckets (NAME_bucket{le=...}, NAME_sum kept
// in microseconds and shown in seconds, NAME_count).
class Histogram {
 public:
  Histogram() = default;
  void observe(std::chrono::microseconds duration);

 private:
  friend class Registry;
  std::span<const double> bounds_;
  std::vector<Counter> buckets_;  // one per bound, then +Inf
  Counter sum_us_;
  Counter count_;
};

// The default bucket bounds in seconds: 1 ms to 5 min.
std::span<const double> default_duration_buckets();

// `key="value"` with the value escaped as the text format requires.
std::string label(std::string_view key, std::string_view value);

class Registry {
 public:
  // A disabled registry.
  Registry() = default;
  // metrics_enable, metrics_directory; `service` is the master.cf service name. A
  // directory that cannot be used is logged as a warning and the registry is disabled:
  // metrics must never stop mail.
  static std::unique_ptr<Registry> open(const config::Config& config, std::string_view service,
                                        base::Logger& log);
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;
  ~Registry();

  bool enabled() const { return counters_.has_value(); }

  // `labels` are the metric's own ("class=\"2xx\"", built with label()); the service's is
  // added. The same (name, labels) gives the same value. Looking one up costs a hash
  // lookup after the first time; keep a handle where an event is frequent.
  Counter counter(std::string_view name, std::string_view labels = {});
  Gauge gauge(std::string_view name, std::string_view labels = {});
  Histogram histogram(std::string_view name, std::string_view labels = {},
                      std::span<const double> bounds = default_duration_buckets());

  // correio_tls_handshakes_total{version=...}: `version` as OpenSSL names it ("TLSv1.3").
  void count_tls_handshake(std::string_view version) {
    counter("correio_tls_handshakes_total", label("version", version)).add();
  }

 private:
  uint64_t* find(CounterFile& file, std::string_view name, std::string_view labels);

  base::Logger* log_ = nullptr;
  std::string service_label_;
  std::optional<CounterFile> counters_;
  std::optional<CounterFile> gauges_;
  std::unordered_map<std::string, uint64_t*> cache_;
  bool warned_ = false;
};

// The file names in metrics_directory: service names ("127.0.0.1:2525") are made safe.
std::string counter_file_name(std::string_view service);
std::string gauge_file_name(std::string_view service, long pid);

}  // namespace correio::metrics
