// Counting queue files for the exporter (see queue_sizes.hpp).
#include "exporter/queue_sizes.hpp"

#include "metrics/registry.hpp"
#include "queue/queue.hpp"

namespace correio::exporter {

std::vector<metrics::Sample> queue_size_samples(const std::filesystem::path& queue_directory) {
  using queue::QueueName;
  std::vector<metrics::Sample> out;
  queue::Queue q(queue_directory);
  for (QueueName name : {QueueName::incoming, QueueName::active, QueueName::deferred,
                         QueueName::hold, QueueName::corrupt, QueueName::maildrop}) {
    auto ids = q.list(name);
    if (!ids) continue;
    out.push_back({"correio_queue_messages",
                   metrics::label("queue", std::string(queue::queue_name(name))), ids->size(),
                   true});
  }
  return out;
}

}  // namespace correio::exporter
