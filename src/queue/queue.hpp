// The queue directory as qmgr, postsuper and mailq see it: list the files of one
// subdirectory, move a file between subdirectories (rename + fsync of both), remove
// one, set a deferred file's next attempt time, and recover after a crash.
//
// A Queue only holds the path; it may be copied and used from several threads (each
// operation is a few system calls on its own). Moving the same ID concurrently from
// two places is the caller's race to avoid (qmgr owns active/).
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "queue/queue_directories.hpp"

namespace correio::queue {

class RecyclePool;

struct RecoveryReport {
  std::vector<std::string> removed_incomplete;  // never acknowledged: removed
  std::vector<std::string> requeued;            // active/ -> incoming/
  std::vector<std::string> corrupt;             // moved to corrupt/, with reasons below
  std::vector<std::string> corrupt_reasons;
  size_t kept = 0;  // complete files left in incoming/ for qmgr
};

// Whether a move or removal is synced to disk before it returns. `lazy` is for steps a
// crash may undo without harm: a message found again in its old place is delivered again
// at worst (a duplicate, never a loss), so qmgr's hot path skips those directory syncs.
enum class Sync { durable, lazy };

class Queue {
 public:
  explicit Queue(std::filesystem::path queue_directory) : root_(std::move(queue_directory)) {}

  const std::filesystem::path& root() const { return root_; }
  std::filesystem::path path(QueueName q) const;
  // Path of message `id` in `q`; `id` must be a valid queue ID (checked by callers
  // through the functions below, which refuse invalid IDs).
  std::filesystem::path path(std::string_view id, QueueName q) const;

  // The queue IDs in `q`, sorted; names that are not valid IDs are skipped.
  Result<std::vector<std::string>> list(QueueName q) const;

  // rename() `id` from `from` to `to`, then fsync `to` and `from` (in that order, so a
  // crash in between leaves at worst two names — never none).
  Status move(std::string_view id, QueueName from, QueueName to, Sync sync = Sync::durable) const;

  // Removes `id` from `q` and its defer/ and bounce/ logs; fsyncs the directory. With a
  // `pool`, the message's file is kept there for reuse instead of deleted (qmgr does
  // this for finished messages).
  Status remove(std::string_view id, QueueName q, Sync sync = Sync::durable,
                RecyclePool* pool = nullptr) const;

  // Postfix keeps a deferred message's next attempt time in the file's mtime.
  Status set_next_attempt(std::string_view id, QueueName q,
                          std::chrono::system_clock::time_point when) const;
  Result<std::chrono::system_clock::time_point> next_attempt(std::string_view id,
                                                             QueueName q) const;

  // Crash recovery, run once at start before qmgr scans (see recovery.cpp):
  //  - incoming/: temporary files and ID files that are not complete and not marked
  //    complete (mode 0600) were never acknowledged: removed. So is a complete file whose
  //    recorded queue_id names another ID: a reused file (recycle_pool.hpp) whose new
  //    message never reached the disk, which holds an old, finished one. Complete files stay for
  //    qmgr. Files marked complete (0700) that do not parse go to corrupt/.
  //  - active/: every file goes back to incoming/ (as Postfix's qmgr does at start), so
  //    a delivery cut off by the crash is retried; recipients already marked done are
  //    not delivered again.
  //  - defer/: leftover temporary files of an interrupted defer-log rewrite are removed.
  //  deferred/, hold/ and maildrop/ are left alone.
  Result<RecoveryReport> recover() const;

 private:
  std::filesystem::path root_;
};

}  // namespace correio::queue
