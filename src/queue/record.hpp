// The queue file's record layer: a type byte, a 4-byte big-endian length, then data —
// Postfix's REC_TYPE records with an explicit length. Encoding appends to a string;
// RecordCursor walks a byte buffer it does not own (the buffer must outlive it) and
// never reads past its end. Pure functions and values; not shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace correio::queue {

// One letter per record type, as in Postfix, so `od -c` on a queue file is readable.
// `recipient` and `recipient_done` differ only in the type byte: delivery marks a
// recipient done by overwriting that one byte in place.
enum class RecordType : char {
  version = 'V',          // magic "CORQ" + format version byte; always first
  arrival_time = 'T',     // 8 bytes: microseconds since the epoch
  message_size = 'Z',     // 8 bytes: content bytes; fixed position, filled in at commit
  attribute = 'A',        // "name=value": DSN envelope, client info, line ending
  sender = 'S',           // envelope sender, empty for the null sender <>
  recipient = 'R',        // pending recipient (see envelope.hpp for the data)
  recipient_done = 'D',   // a recipient already delivered or bounced
  end_of_envelope = 'X',  // empty
  // Empty; flipped in place from 'W' to 'w' once qmgr sent the sender its one delay
  // warning (delay_warning_time), so a restart never sends a second one.
  delay_warning = 'W',
  delay_warning_sent = 'w',
  content = 'C',  // a chunk of the message, bytes exactly as received
  // After the content: the after-queue content filter "transport:destination" that
  // content_filter or a FILTER action chose (Postfix's REC_TYPE_FILT); at most one.
  filter = 'L',
  end = 'E',  // 8 bytes: this record's own offset; present = file complete
};

inline constexpr size_t kRecordHeaderSize = 5;
inline constexpr size_t kMaxRecordData = 64 * 1024;
inline constexpr std::string_view kQueueFileMagic = "CORQ";
inline constexpr uint8_t kQueueFileVersion = 1;

// Appends one record. `data.size()` must be at most kMaxRecordData (asserted).
void append_record(std::string& out, RecordType type, std::string_view data);

// Big-endian fixed-width integers, as used inside records.
void append_u32(std::string& out, uint32_t v);
void append_u64(std::string& out, uint64_t v);
uint32_t load_u32(std::string_view bytes);  // bytes.size() >= 4
uint64_t load_u64(std::string_view bytes);  // bytes.size() >= 8

// A u32 length then the bytes; the way strings sit inside a recipient record.
void append_string(std::string& out, std::string_view s);
// Takes one such string off the front of `in`; false if `in` is too short.
bool take_string(std::string_view& in, std::string_view& out);

struct Record {
  char type = 0;
  std::string_view data;  // points into the cursor's buffer
  uint64_t offset = 0;    // offset of the type byte in the buffer
};

class RecordCursor {
 public:
  enum class Step { record, end_of_input, truncated, too_long };

  explicit RecordCursor(std::string_view bytes) : bytes_(bytes) {}

  // Reads the next record into `out`. end_of_input: no bytes left; truncated: a
  // partial header or data; too_long: the length field exceeds kMaxRecordData.
  Step next(Record& out);
  uint64_t offset() const { return pos_; }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace correio::queue
