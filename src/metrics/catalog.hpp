// Every metric Correio exports, with its type and help text: the one list the exporter
// and docs/admin-guide.md's metrics table follow.
#pragma once

#include <span>
#include <string_view>

namespace correio::metrics {

enum class MetricType { counter, gauge, histogram };

struct MetricInfo {
  std::string_view name;
  MetricType type;
  std::string_view help;
};

std::span<const MetricInfo> catalog();

// The catalog entry a sample name belongs to (NAME_bucket/_sum/_count belong to the
// histogram NAME); nullptr for a name not in the catalog.
const MetricInfo* find_metric(std::string_view sample_name);

}  // namespace correio::metrics
