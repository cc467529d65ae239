// Reading a queue file: every record and length is checked, so a truncated or corrupt
// file yields a clear error and never a crash or an over-read (fuzzed by
// fuzz/queue_file_fuzz.cpp). Pure functions over caller-owned bytes; thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "queue/envelope.hpp"

namespace correio::queue {

// Where the message's bytes lie in the file: `size` bytes at `offset`.
struct ContentChunk {
  uint64_t offset = 0;
  uint32_t size = 0;
};

struct QueueFile {
  Envelope envelope;
  uint64_t message_size = 0;          // from the size record, checked against the chunks
  std::vector<ContentChunk> content;  // in order
  std::string content_bytes;          // the message itself, if asked for
  // The delay-warning record (RecordType::delay_warning): its offset, 0 when the file has
  // none (then no warning can be recorded, so none is sent), and whether it was sent.
  uint64_t delay_warning_offset = 0;
  bool delay_warning_sent = false;
};

// complete: has the end record and every check passed. incomplete: the bytes stop
// before the end record (a write that never finished). corrupt: anything else.
enum class FileState { complete, incomplete, corrupt };

struct CheckResult {
  FileState state = FileState::corrupt;
  std::string reason;  // why not complete: "truncated record at offset 120", ...
};

// Parses `bytes` as a whole queue file. On `complete`, fills `*out` (if not null), with
// content_bytes copied when `with_content`.
CheckResult check_queue_file(std::string_view bytes, QueueFile* out, bool with_content = false);

// check_queue_file() as a Result: the error says which state and why.
Result<QueueFile> parse_queue_file(std::string_view bytes, bool with_content = false);

// Largest queue file the readers accept (a generous bound on message_size_limit).
inline constexpr size_t kMaxQueueFileSize = size_t{1} << 31;

// Reads and parses the file at `path`.
Result<QueueFile> read_queue_file(const std::filesystem::path& path, bool with_content = false,
                                  size_t limit = kMaxQueueFileSize);

// Marks the recipient whose record starts at `offset` done: checks the byte there is a
// recipient type byte, overwrites it with 'D' with one pwrite, then fdatasyncs.
// Idempotent. `fd` must be open for reading and writing.
Status mark_recipient_done(int fd, uint64_t offset);
Status mark_recipient_done(const std::filesystem::path& path, uint64_t offset);

// Records that the delay warning was sent: flips the delay-warning record at `offset`
// from 'W' to 'w' with one pwrite, then fdatasyncs. Idempotent.
Status mark_delay_warning_sent(const std::filesystem::path& path, uint64_t offset);

}  // namespace correio::queue
