// Queue files are reused instead of deleted: qmgr moves the file of a finished message
// into queue_directory/recycle/, and the next writer (smtpd, pickup) renames it into
// incoming/ and writes its new message over it. No inode is freed or allocated per
// message. On ext4 without a journal, inode allocation skips every inode freed in the
// last 5 minutes (300 more while its inode table block is dirty), so a queue that frees
// one inode per message makes each new file's allocation scan longer and longer: it took
// a quarter of the machine's CPU at 800 messages/s (docs/performance.md). With a journal
// the allocator skips that check, and the saving is the inode allocation and freeing
// themselves.
//
// The pool is bounded: its files are named "r0".."r<capacity-1>" (never queue IDs, so no
// queue listing sees them), qmgr moves a file only into a free name, and files larger
// than `max_file_size` are deleted. A crash can leave pool files behind; they are simply
// used later. A recycled file is written with its queue ID in a queue_id attribute: if a
// crash leaves a renamed pool file whose new content never reached the disk, recovery
// sees the old ID in it and removes the file (docs/queue.md).
//
// Thread-safety: every member may be called from any thread (one mutex). Processes share
// the pool through the directory: rename(2) decides which process gets which file.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::queue {

class RecyclePool {
 public:
  struct Options {
    size_t capacity = 4096;                       // files in the pool at most
    uint64_t max_file_size = 256 * 1024;          // larger files are deleted, not kept
    std::chrono::milliseconds rescan_after{200};  // after finding the pool empty
  };

  explicit RecyclePool(std::filesystem::path queue_directory);
  RecyclePool(std::filesystem::path queue_directory, Options options);

  // Moves the file at `path` (a finished message's queue file, size `size`) into the
  // pool when it is small enough and a name is free; otherwise unlinks it. Either way
  // the file is gone from `path` when this returns ok. Not synced (a crash may bring the
  // file back, which the caller's design must allow, as qmgr's does).
  Status retire(const std::filesystem::path& path, uint64_t size);

  // Renames a pool file to `to` (which must not exist); false when the pool is empty,
  // every candidate was taken by another process first, or renaming fails. After an
  // empty pool, it is looked at again only after `rescan_after`.
  bool take(const std::filesystem::path& to);

  // The pool's directory: queue_directory/recycle.
  const std::filesystem::path& directory() const { return directory_; }

 private:
  void refill_locked();

  std::filesystem::path directory_;
  Options options_;
  std::mutex mutex_;
  std::vector<std::string> candidates_;  // names seen in the pool, taken from the back
  std::chrono::steady_clock::time_point next_scan_{};
  size_t next_slot_ = 0;  // where retire() tries first
};

}  // namespace correio::queue
