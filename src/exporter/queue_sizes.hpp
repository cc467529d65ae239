// The correio_queue_messages gauge: the messages in each queue directory, counted at
// scrape time (as qshape and `postqueue -p` see them), not kept by any daemon.
#pragma once

#include <filesystem>
#include <vector>

#include "metrics/counter_file.hpp"

namespace correio::exporter {

// One gauge sample per queue (incoming, active, deferred, hold, corrupt, maildrop); a
// queue directory that cannot be read is left out.
std::vector<metrics::Sample> queue_size_samples(const std::filesystem::path& queue_directory);

}  // namespace correio::exporter
