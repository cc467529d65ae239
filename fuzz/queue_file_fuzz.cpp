// libFuzzer target for the queue-file reader (src/queue/queue_file_reader.cpp) and the
// defer-log reader: any bytes must give a result or an error, never a crash or over-read.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "queue/defer_log.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/queue_id.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  correio::queue::QueueFile file;
  auto check = correio::queue::check_queue_file(bytes, &file, true);
  if (check.state == correio::queue::FileState::complete) {
    // What the reader accepted must be self-consistent.
    if (file.content_bytes.size() != file.message_size) std::abort();
    for (const auto& chunk : file.content)
      if (chunk.offset + chunk.size > size) std::abort();
    for (const auto& rcpt : file.envelope.recipients)
      if (rcpt.offset >= size) std::abort();
  }
  (void)correio::queue::parse_defer_log(bytes);
  (void)correio::queue::is_valid_queue_id(bytes.substr(0, 32));
  return 0;
}
