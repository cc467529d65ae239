// Writing a new queue file into incoming/, as smtpd and pickup do: envelope first, then
// the content streamed as it arrives (at most one 64 KiB chunk held in memory), then
// commit. Until commit the file has a temporary name that is not a queue ID; commit
// writes the end record, renames the file to its queue ID, fdatasyncs, fsyncs incoming/
// and only then marks the file complete (mode 0700, which qmgr waits for, as in Postfix). Any
// failure removes the file and returns an error (the caller answers 452 4.3.1); nothing is left
// behind.
//
// A QueueFileWriter owns its file descriptor and, until committed, its file: destroying
// an uncommitted writer removes the file. Move-only; use from one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/file.hpp"
#include "base/result.hpp"
#include "queue/envelope.hpp"

namespace correio::queue {

class RecyclePool;

class QueueFileWriter {
 public:
  // Creates a file in `queue_directory`/incoming (O_EXCL, mode 0600), or reuses one from
  // `pool` when it has one, and writes the envelope. The queue ID is known from here on
  // (for logging and the Received: line).
  static Result<QueueFileWriter> create(const std::filesystem::path& queue_directory,
                                        const Envelope& envelope, RecyclePool* pool = nullptr);

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

  // Content inspection's decisions, before commit. HOLD: the file is committed into
  // hold/ instead of incoming/ (qmgr leaves it alone until postsuper -H). REDIRECT and
  // BCC: recipients recorded after the content, replacing or joining the envelope's
  // (queue_file_format.hpp, encode_extracted()). Error: a recipient too long.
  void set_hold() { directory_ = hold_; }
  // `rejected`: Envelope::content_rejected, for a message pickup must bounce.
  Status set_extracted(const std::vector<Recipient>& recipients, bool replace,
                       std::string_view rejected = {});

  // Writes `envelope` in place of the one create() wrote, for a milter that changed the
  // sender or the recipients (smtpd holds the content back until its milters are done).
  // Only before any content was appended; an error otherwise, or when the disk refused
  // (then the file is gone).
  Status rewrite_envelope(const Envelope& envelope);

  // The after-queue content filter "transport:destination" (Envelope::content_filter);
  // empty: none. Error: too long for a record.
  Status set_filter(std::string_view filter);

  // Writes the end record, fdatasyncs, fsyncs incoming/ and marks the file complete
  // (mode 0700). When this returns ok the message is on stable storage and may be
  // acknowledged with 250; otherwise the file is gone.
  Status commit();

  // commit() in steps, for CommitBatcher: write_end() fills in the size, writes the end
  // record, starts writeback and renames the file to its ID (not yet 0700);
  // sync_data() fdatasyncs; then the caller fsyncs directory() once for many
  // files and calls mark_complete() (fchmod 0700). A failed step removes the file; if
  // the directory sync fails the caller calls abandon().
  Status write_end();
  Status sync_data();
  Status mark_complete();
  // Where commit puts the file: incoming/, or hold/ after set_hold().
  const std::filesystem::path& directory() const { return directory_; }

  // Removes the file unless it is complete. Called by the destructor.
  void abandon();

 private:
  QueueFileWriter() = default;
  Status fail(Status status);
  const std::string& current_name() const;
  Status flush_chunk();

  // writing: temporary name; ended: end record written and renamed to the ID;
  // synced: data on disk; finished: mode 0700 (complete); failed/gone: no file.
  enum class State { writing, ended, synced, finished, failed, gone };

  base::Fd fd_;
  State state_ = State::gone;
  Error error_;
  std::filesystem::path incoming_;   // where the file is written
  std::filesystem::path hold_;       // queue_directory/hold
  std::filesystem::path directory_;  // where commit renames it to: incoming_ or hold_
  std::string extracted_;            // records written after the content
  std::string filter_;               // the filter record, written after extracted_
  std::string temp_name_;
  std::string id_;
  std::string chunk_;  // content not yet written, at most kMaxRecordData bytes
  uint64_t content_size_ = 0;
  uint64_t file_offset_ = 0;  // bytes written so far
  uint64_t reused_size_ = 0;  // size of the reused pool file before we wrote over it
};

}  // namespace correio::queue
