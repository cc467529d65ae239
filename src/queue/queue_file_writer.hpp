// Writing a new queue file into incoming/, as smtpd and pickup do: envelope first, then
// the content streamed as it arrives (at most one 64 KiB chunk held in memory), then
// commit. Until commit the file has a temporary name that is not a queue ID; commit
// writes the end record, fdatasyncs, marks the file complete (mode 0700), renames it to
// its queue ID and fsyncs incoming/. Any failure removes the file and returns an error
// (the caller answers 452 4.3.1); nothing is left behind.
//
// A QueueFileWriter owns its file descriptor and, until committed, its file: destroying
// an uncommitted writer removes the file. Move-only; use from one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "queue/detail/sys.hpp"
#include "queue/envelope.hpp"

namespace correio::queue {

class QueueFileWriter {
 public:
  // Creates a file in `queue_directory`/incoming (O_EXCL, mode 0600) and writes the
  // envelope. The queue ID is known from here on (for logging and the Received: line).
  static Result<QueueFileWriter> create(const std::filesystem::path& queue_directory,
                                        const Envelope& envelope);

  QueueFileWriter(QueueFileWriter&&) noexcept;
  QueueFileWriter& operator=(QueueFileWriter&&) noexcept;
  QueueFileWriter(const QueueFileWriter&) = delete;
  QueueFileWriter& operator=(const QueueFileWriter&) = delete;
  ~QueueFileWriter();

  const std::string& id() const { return id_; }
  uint64_t content_size() const { return content_size_; }

  // Appends message bytes exactly as received. After an error the file is gone and
  // every later call returns that error.
  Status append_content(std::string_view bytes);

  // The first half of commit: flushes content, fills in the size, writes the end record,
  // fdatasyncs, sets mode 0700 and renames the file to its ID in incoming/. The message
  // is not yet durable: its directory entry still needs fsync_incoming() (CommitBatcher
  // does that once for many files).
  Status finish();

  // finish() in two steps, so a batch can start the writeback of all its files before
  // waiting for any: write_end() flushes content, fills in the size, writes the end
  // record and starts writeback; sync_and_place() fdatasyncs, sets 0700 and renames.
  Status write_end();
  Status sync_and_place();

  // finish() then fsync of incoming/. When this returns ok the message is on stable
  // storage and may be acknowledged with 250.
  Status commit();

  // After finish(): the directory whose fsync makes the file durable.
  const std::filesystem::path& incoming_directory() const { return incoming_; }

  // Removes the file unless it has been finished. Called by the destructor.
  void abandon();

  // Removes a finished file whose directory sync failed, so it is not delivered
  // after the client was told 4xx.
  void remove_finished();

 private:
  QueueFileWriter() = default;
  Status fail(Status status);
  Status flush_chunk();

  enum class State { writing, ended, finished, failed, gone };

  detail::Fd fd_;
  State state_ = State::gone;
  Error error_;
  std::filesystem::path incoming_;
  std::string temp_name_;
  std::string id_;
  std::string chunk_;  // content not yet written, at most kMaxRecordData bytes
  uint64_t content_size_ = 0;
  uint64_t file_offset_ = 0;  // bytes written so far
};

}  // namespace correio::queue
