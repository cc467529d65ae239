// Encoding a queue file in memory: the envelope records, and a whole file for tests,
// fuzz seeds and small messages. See record.hpp for the record layer and
// docs/queue.md for the layout. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "queue/envelope.hpp"

namespace correio::queue {

// The records from the version record to end-of-envelope, with a size record of 0.
// Fails if a field is too long for one record or there is no recipient. `queue_id`, when
// given, is recorded instead of envelope.queue_id.
Result<std::string> encode_envelope(const Envelope& envelope, std::string_view queue_id = {});

// Offset of the size record's 8 data bytes, the same in every file.
uint64_t size_record_data_offset();

// The records between the content and the end record (Postfix's extracted segment):
// recipients that content inspection decided on after the envelope was written. With
// `replace` (header_checks REDIRECT) they replace the envelope's recipients, which the
// reader then leaves out; otherwise (BCC) they are added. `rejected`: Envelope's
// content_rejected. Fails like encode_envelope().
Result<std::string> encode_extracted(const std::vector<Recipient>& recipients, bool replace,
                                     std::string_view rejected = {});
// The filter record for Envelope::content_filter ("" appends nothing). Fails when it is
// too long for one record.
Status append_filter_record(std::string& out, std::string_view filter);

inline constexpr std::string_view kReplaceRecipients = "recipients=replaced";
inline constexpr std::string_view kContentRejected = "content_rejected=";

// The content records for `content` (chunks of kMaxRecordData bytes).
void append_content_records(std::string& out, std::string_view content);

// The end record, whose data is its own offset `offset`.
void append_end_record(std::string& out, uint64_t offset);

// A complete file: envelope, size, content, end.
Result<std::string> encode_queue_file(const Envelope& envelope, std::string_view content);

}  // namespace correio::queue
