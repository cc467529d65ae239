// The production MessageSink: queue files in queue_directory/incoming, committed through
// one CommitBatcher so that concurrent sessions share directory syncs (design.md §3), in
// files reused from the queue's recycle pool when it has some (queue/recycle_pool.hpp).
#pragma once

#include <filesystem>

#include "queue/commit_batcher.hpp"
#include "queue/recycle_pool.hpp"
#include "smtpd/message_sink.hpp"

namespace correio::smtpd {

class QueueSink final : public MessageSink {
 public:
  // queue_minfree: bytes that must stay free in the queue's file system (Postfix's
  // parameter; 0: only a message's declared SIZE must fit).
  explicit QueueSink(std::filesystem::path queue_directory, long long queue_minfree = 0)
      : queue_directory_(std::move(queue_directory)),
        queue_minfree_(queue_minfree),
        pool_(queue_directory_) {}
  Result<std::unique_ptr<MessageWriter>> begin(const Envelope& envelope) override;
  bool has_room(long long bytes) const override;

 private:
  std::filesystem::path queue_directory_;
  long long queue_minfree_ = 0;
  queue::RecyclePool pool_;
  queue::CommitBatcher batcher_;
};

}  // namespace correio::smtpd
