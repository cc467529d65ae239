// Group commit: many sessions committing queue files at once share the directory sync.
// A worker thread takes every pending file, writes each one's end record and renames
// it to its ID, fdatasyncs them all, then fsyncs incoming/ ONCE for the whole batch,
// marks the files complete (0700) and only then runs the callbacks. While one batch syncs, the next
// one gathers (design.md §3). The files of a batch are fdatasynced by several helper threads at
// once, so the kernel can merge their journal commits as it does for concurrent sessions.
//
// Thread-safety: commit_async() may be called from any thread. Callbacks run on the
// worker thread; a caller on an Asio executor posts back itself, e.g.
//   batcher.commit_async(std::move(w), [ex](Status s) { asio::post(ex, [s] { ... }); });
// Lifetime: the destructor commits everything already submitted, runs its callbacks,
// then joins the worker. The CommitBatcher must outlive its callers' submissions.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "base/result.hpp"
#include "queue/queue_file_writer.hpp"

namespace correio::queue {

class CommitBatcher {
 public:
  using Callback = std::function<void(Status)>;

  struct Options {
    size_t max_batch = 256;   // files per directory sync
    size_t sync_threads = 8;  // fdatasyncs of one batch run this many at a time
  };

  struct Stats {
    uint64_t files = 0;     // files committed (ok or not)
    uint64_t batches = 0;   // directory syncs issued
    uint64_t failures = 0;  // files whose commit failed
    uint64_t largest_batch = 0;
  };

  CommitBatcher();
  explicit CommitBatcher(Options options);
  ~CommitBatcher();
  CommitBatcher(const CommitBatcher&) = delete;
  CommitBatcher& operator=(const CommitBatcher&) = delete;

  // Takes ownership of `writer` and commits it; `done` gets ok once the file and its
  // directory entry are on stable storage, or the error (the file is then removed).
  void commit_async(QueueFileWriter&& writer, Callback done);

  // Commits synchronously through the batcher (blocks the calling thread).
  Status commit(QueueFileWriter&& writer);

  Stats stats() const;

 private:
  struct Pending {
    QueueFileWriter writer;
    Callback done;
  };

  void run();
  void commit_batch(std::vector<Pending>& batch);
  void sync_all(std::vector<Pending>& batch, std::vector<Status>& results);
  void help();

  Options options_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  Stats stats_;
  std::thread worker_;

  // The helpers of sync_all(): they take files by index until the batch is done.
  std::mutex sync_mutex_;
  std::condition_variable sync_wake_, sync_done_;
  std::vector<Pending>* sync_batch_ = nullptr;
  std::vector<Status>* sync_results_ = nullptr;
  size_t sync_next_ = 0, sync_finished_ = 0;
  uint64_t sync_generation_ = 0;
  bool sync_stopping_ = false;
  std::vector<std::thread> helpers_;
};

}  // namespace correio::queue
