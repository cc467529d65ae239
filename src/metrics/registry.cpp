// The per-process metrics registry (see registry.hpp).
#include "metrics/registry.hpp"

#include <unistd.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <utility>

#include "metrics/child_files.hpp"

namespace correio::metrics {

namespace {
constexpr std::array<double, 12> kDurationBuckets = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,   1,    5,     30,   300};

// Prometheus float formatting for a bucket bound: "0.005", "1", "300".
std::string bound_text(double bound) {
  std::string text = std::to_string(bound);
  text.erase(text.find_last_not_of('0') + 1);
  if (text.back() == '.') text.pop_back();
  return text;
}
}  // namespace

std::span<const double> default_duration_buckets() {
  return kDurationBuckets;
}

std::string label(std::string_view key, std::string_view value) {
  std::string out(key);
  out += "=\"";
  for (char c : value) {
    // The text format's three escapes (label values are otherwise any UTF-8).
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  out += '"';
  return out;
}

std::string counter_file_name(std::string_view service) {
  std::string name;
  for (char c : service)
    name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return name + ".counters";
}

std::string gauge_file_name(std::string_view service, long pid) {
  std::string name = counter_file_name(service);
  name.resize(name.size() - std::string_view(".counters").size());
  return name + "." + std::to_string(pid) + ".gauges";
}

void Histogram::observe(std::chrono::microseconds duration) {
  double seconds = static_cast<double>(duration.count()) / 1e6;
  for (size_t i = 0; i < bounds_.size(); ++i)
    if (seconds <= bounds_[i]) buckets_[i].add();
  if (!buckets_.empty()) buckets_.back().add();  // +Inf
  sum_us_.add(static_cast<uint64_t>(std::max<int64_t>(0, duration.count())));
  count_.add();
}

namespace {

// The files a login process was given open (child_files.hpp): it cannot enter
// metrics_directory, so they are mapped through the descriptors.
std::pair<Result<CounterFile>, Result<CounterFile>> passed_files(const std::string& fds) {
  size_t comma = fds.find(',');
  if (comma == std::string::npos)
    return {Error{"bad " + std::string(kChildFilesVariable)}, Error{"no gauge descriptor"}};
  std::string proc = "/proc/self/fd/";
  return {CounterFile::open(proc + fds.substr(0, comma)),
          CounterFile::open(proc + fds.substr(comma + 1))};
}

}  // namespace

std::unique_ptr<Registry> Registry::open(const config::Config& config, std::string_view service,
                                         base::Logger& log) {
  auto registry = std::make_unique<Registry>();
  registry->log_ = &log;
  if (!config.get_bool("metrics_enable")) return registry;
  Result<CounterFile> counters = Error{""}, gauges = Error{""};
  if (const char* passed = std::getenv(std::string(kChildFilesVariable).c_str())) {
    std::tie(counters, gauges) = passed_files(passed);
  } else {
    std::filesystem::path dir = config.get("metrics_directory");
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      log.warning("metrics_directory {}: {}; metrics are not recorded", dir.string(), ec.message());
      return registry;
    }
    counters = CounterFile::open(dir / counter_file_name(service));
    gauges = CounterFile::open(dir / gauge_file_name(service, ::getpid()));
  }
  if (!counters || !gauges) {
    log.warning("metrics: {}; metrics are not recorded",
                (!counters ? counters.error() : gauges.error()).message);
    return registry;
  }
  registry->service_label_ = label("service", service);
  registry->counters_.emplace(std::move(*counters));
  registry->gauges_.emplace(std::move(*gauges));
  return registry;
}

Registry::~Registry() {
  if (gauges_) {
    std::error_code ec;  // a leftover file is ignored by the reader once this PID is gone
    std::filesystem::remove(gauges_->path(), ec);
  }
}

uint64_t* Registry::find(CounterFile& file, std::string_view name, std::string_view labels) {
  std::string all = service_label_;
  if (!labels.empty()) all += "," + std::string(labels);
  std::string key = file.path().string() + '\0' + std::string(name) + '\0' + all;
  if (auto it = cache_.find(key); it != cache_.end()) return it->second;
  auto value = file.value(name, all);
  if (!value) {
    if (!warned_ && log_) log_->warning("metrics: {}", value.error().message);
    warned_ = true;
    return nullptr;
  }
  cache_.emplace(std::move(key), *value);
  return *value;
}

Counter Registry::counter(std::string_view name, std::string_view labels) {
  if (!counters_) return {};
  return Counter(find(*counters_, name, labels));
}

Gauge Registry::gauge(std::string_view name, std::string_view labels) {
  if (!gauges_) return {};
  return Gauge(find(*gauges_, name, labels));
}

Histogram Registry::histogram(std::string_view name, std::string_view labels,
                              std::span<const double> bounds) {
  Histogram h;
  if (!counters_) return h;
  h.bounds_ = bounds;
  std::string prefix = labels.empty() ? std::string() : std::string(labels) + ",";
  for (double bound : bounds)
    h.buckets_.push_back(
        counter(std::string(name) + "_bucket", prefix + label("le", bound_text(bound))));
  h.buckets_.push_back(counter(std::string(name) + "_bucket", prefix + label("le", "+Inf")));
  h.sum_us_ = counter(std::string(name) + "_sum", labels);
  h.count_ = counter(std::string(name) + "_count", labels);
  return h;
}

}  // namespace correio::metrics
