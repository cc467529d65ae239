// Collecting and rendering the samples (see exposition.hpp).
#include "metrics/exposition.hpp"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <cerrno>
#include <map>

#include "base/strings.hpp"
#include "metrics/catalog.hpp"

namespace correio::metrics {

namespace {

// SERVICE.PID.gauges -> PID; 0 when the name has no PID part.
long gauge_file_pid(const std::string& filename) {
  std::string stem = filename.substr(0, filename.size() - std::string_view(".gauges").size());
  size_t dot = stem.rfind('.');
  if (dot == std::string::npos) return 0;
  auto pid = base::parse_int(stem.substr(dot + 1));
  return pid && *pid > 0 ? static_cast<long>(*pid) : 0;
}

bool process_runs(long pid) {
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

struct Family {
  const MetricInfo* info = nullptr;
  std::string name;
  // Insertion order keeps a histogram's buckets in bound order, as each process claims
  // them in that order.
  std::vector<std::pair<std::string, double>> lines;  // "name{labels}", value
  std::map<std::string, size_t> index;
};

std::string number(double value) {
  if (value == static_cast<double>(static_cast<int64_t>(value)))
    return std::to_string(static_cast<int64_t>(value));
  return fmt::format("{}", value);
}

}  // namespace

std::vector<Sample> collect(const std::filesystem::path& directory, base::Logger& log) {
  std::vector<Sample> out;
  std::error_code ec;
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(directory, ec))
    files.push_back(entry.path());
  if (ec) {
    log.warning("metrics_directory {}: {}", directory.string(), ec.message());
    return out;
  }
  std::sort(files.begin(), files.end());
  for (const auto& path : files) {
    std::string filename = path.filename().string();
    bool gauges = filename.ends_with(".gauges");
    if (!gauges && !filename.ends_with(".counters")) continue;
    if (gauges) {
      long pid = gauge_file_pid(filename);
      if (pid == 0 || !process_runs(pid)) {
        std::filesystem::remove(path, ec);  // a crashed process's: its gauges died with it
        continue;
      }
    }
    auto samples = read_counter_file(path);
    if (!samples) {
      log.warning("metrics: {}", samples.error().message);
      continue;
    }
    for (auto& s : *samples) {
      s.is_gauge = gauges;
      out.push_back(std::move(s));
    }
  }
  return out;
}

std::string render(const std::vector<Sample>& samples) {
  std::map<std::string, Family> families;  // by family name
  for (const Sample& s : samples) {
    const std::string& name = s.name;
    const MetricInfo* info = find_metric(name);
    std::string family_name = info ? std::string(info->name) : name;
    Family& family = families[family_name];
    family.info = info;
    family.name = family_name;
    double value = s.is_gauge ? static_cast<double>(static_cast<int64_t>(s.value))
                              : static_cast<double>(s.value);
    if (info && info->type == MetricType::histogram && name.ends_with("_sum")) value /= 1e6;
    std::string key = s.labels.empty() ? name : name + "{" + s.labels + "}";
    auto [it, inserted] = family.index.emplace(key, family.lines.size());
    if (inserted)
      family.lines.emplace_back(key, value);
    else
      family.lines[it->second].second += value;
  }

  std::string out;
  for (const auto& [name, family] : families) {
    if (family.info) {
      static constexpr std::string_view kTypes[] = {"counter", "gauge", "histogram"};
      out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, family.info->help, name,
                         kTypes[static_cast<int>(family.info->type)]);
    } else {
      out += fmt::format("# TYPE {} untyped\n", name);
    }
    for (const auto& [key, value] : family.lines) out += key + " " + number(value) + "\n";
  }
  return out;
}

}  // namespace correio::metrics
