// What the metrics service answers a scrape with: the samples of every counter file in
// metrics_directory, summed across processes, plus values it computes itself (queue
// sizes), in the Prometheus text exposition format (version 0.0.4) with the HELP and
// TYPE lines of the catalog.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "base/log.hpp"
#include "metrics/counter_file.hpp"

namespace correio::metrics {

// Every sample of the files in `directory`. Gauge files of processes that no longer run
// are removed (their values left with them); files that are not counter files are
// skipped with a warning.
std::vector<Sample> collect(const std::filesystem::path& directory, base::Logger& log);

// Gauge samples hold two's complement values and histogram sums microseconds: render()
// shows both right. Samples of the same name and labels are added together.
std::string render(const std::vector<Sample>& samples);

}  // namespace correio::metrics
