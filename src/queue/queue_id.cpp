// Queue IDs in Postfix's short form (microseconds + inode, uppercase hex).
#include "queue/queue_id.hpp"

#include <fmt/format.h>

namespace correio::queue {
namespace {

constexpr size_t kMicrosecondDigits = 5;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string make_queue_id(uint32_t microseconds, uint64_t inode) {
  return fmt::format("{:05X}{:X}", microseconds % 1000000, inode);
}

std::optional<QueueIdParts> parse_queue_id(std::string_view id) {
  if (id.size() < kMinQueueIdLength || id.size() > kMaxQueueIdLength) return std::nullopt;
  QueueIdParts parts;
  for (size_t i = 0; i < id.size(); ++i) {
    int v = hex_value(id[i]);
    if (v < 0) return std::nullopt;
    if (i < kMicrosecondDigits)
      parts.microseconds = parts.microseconds * 16 + static_cast<uint32_t>(v);
    else
      parts.inode = parts.inode * 16 + static_cast<uint64_t>(v);
  }
  if (parts.microseconds >= 1000000) return std::nullopt;
  // make_queue_id() never writes a leading zero in the inode part (unless the inode
  // is 0 itself), so such a spelling is not an ID any file can have.
  if (id[kMicrosecondDigits] == '0' && id.size() > kMicrosecondDigits + 1) return std::nullopt;
  return parts;
}

bool is_valid_queue_id(std::string_view id) {
  return parse_queue_id(id).has_value();
}

}  // namespace correio::queue
