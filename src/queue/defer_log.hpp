// The per-message deferral log, defer/ID: the last failure of each recipient that is
// still pending, for mailq and for the bounce that expires the message. Same record
// layer as queue files; rewritten whole (write ID.tmp, fdatasync, rename) so a reader
// sees the old log or the new one. Free functions; calls for different IDs may run in
// parallel, calls for one ID must not (qmgr serialises per message).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "queue/queue.hpp"

namespace correio::queue {

struct RecipientFailure {
  uint64_t recipient_offset = 0;  // Recipient::offset in the queue file: the key
  std::string recipient;          // address, so mailq needs not open the queue file
  int64_t time_us = 0;            // when the attempt failed
  std::string status;             // RFC 3463 code, "4.4.1"
  std::string reason;             // "connect to mx.example.org[192.0.2.1]:25: Connection refused"

  bool operator==(const RecipientFailure&) const = default;
};

std::string encode_defer_log(const std::vector<RecipientFailure>& failures);
Result<std::vector<RecipientFailure>> parse_defer_log(std::string_view bytes);

// The log of `id`; an empty list if there is none.
Result<std::vector<RecipientFailure>> read_defer_log(const Queue& queue, std::string_view id);

// Replaces the entries of the same recipients (by offset) and keeps the others.
Status update_defer_log(const Queue& queue, std::string_view id,
                        const std::vector<RecipientFailure>& failures);

}  // namespace correio::queue
