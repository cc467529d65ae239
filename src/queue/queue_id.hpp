// Queue IDs in Postfix's short form: 5 uppercase hex digits of the microseconds at
// creation, then the queue file's inode number in hex ("5F06C87DD90").
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace correio::queue {

// Shortest and longest valid ID: 5 digits of microseconds + 1..16 digits of inode.
inline constexpr size_t kMinQueueIdLength = 6;
inline constexpr size_t kMaxQueueIdLength = 21;

// The ID of a file created at `microseconds` (0..999999, the sub-second part of the
// clock) with inode `inode`. IDs are unique among files that exist at the same time on
// one file system, because inodes are.
std::string make_queue_id(uint32_t microseconds, uint64_t inode);

// True if `id` has the exact shape make_queue_id() produces: only [0-9A-F], a length
// in [kMinQueueIdLength, kMaxQueueIdLength], and a microseconds part below 1000000.
// IDs come from the command line (postsuper -d ID) and become file names, so nothing
// else — no '/', '.', lowercase, or empty string — is accepted.
bool is_valid_queue_id(std::string_view id);

struct QueueIdParts {
  uint32_t microseconds = 0;
  uint64_t inode = 0;
};

// The two parts of a valid ID; nullopt if !is_valid_queue_id(id).
std::optional<QueueIdParts> parse_queue_id(std::string_view id);

}  // namespace correio::queue
