// The production MessageSink: queue files in queue_directory/incoming, committed through
// one CommitBatcher so that concurrent sessions share directory syncs (design.md §3).
#pragma once

#include <filesystem>

#include "queue/commit_batcher.hpp"
#include "smtpd/message_sink.hpp"

namespace correio::smtpd {

class QueueSink final : public MessageSink {
 public:
  explicit QueueSink(std::filesystem::path queue_directory)
      : queue_directory_(std::move(queue_directory)) {}
  Result<std::unique_ptr<MessageWriter>> begin(const Envelope& envelope) override;

 private:
  std::filesystem::path queue_directory_;
  queue::CommitBatcher batcher_;
};

}  // namespace correio::smtpd
