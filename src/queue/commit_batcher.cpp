// Group commit of queue files: one directory fsync per batch (see the header).
#include "queue/commit_batcher.hpp"

#include <future>
#include <map>

#include "base/file.hpp"

namespace correio::queue {

CommitBatcher::CommitBatcher() : CommitBatcher(Options{}) {}

CommitBatcher::CommitBatcher(Options options) : options_(options) {
  if (options_.max_batch == 0) options_.max_batch = 1;
  for (size_t i = 1; i < options_.sync_threads; ++i) helpers_.emplace_back([this] { help(); });
  worker_ = std::thread([this] { run(); });
}

CommitBatcher::~CommitBatcher() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  worker_.join();
  {
    std::lock_guard lock(sync_mutex_);
    sync_stopping_ = true;
  }
  sync_wake_.notify_all();
  for (auto& t : helpers_) t.join();
}

void CommitBatcher::commit_async(QueueFileWriter&& writer, Callback done) {
  {
    std::lock_guard lock(mutex_);
    pending_.push_back({std::move(writer), std::move(done)});
  }
  wake_.notify_one();
}

Status CommitBatcher::commit(QueueFileWriter&& writer) {
  std::promise<Status> promise;
  auto future = promise.get_future();
  commit_async(std::move(writer), [&promise](Status s) { promise.set_value(std::move(s)); });
  return future.get();
}

CommitBatcher::Stats CommitBatcher::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void CommitBatcher::run() {
  std::vector<Pending> batch;
  while (true) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping, and nothing left to commit
      size_t n = std::min(pending_.size(), options_.max_batch);
      std::move(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(n),
                std::back_inserter(batch));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(n));
    }
    commit_batch(batch);
    batch.clear();
  }
}

void CommitBatcher::sync_all(std::vector<Pending>& batch, std::vector<Status>& results) {
  std::unique_lock lock(sync_mutex_);
  sync_batch_ = &batch;
  sync_results_ = &results;
  sync_next_ = sync_finished_ = 0;
  ++sync_generation_;
  // Only as many helpers as there are files beyond the worker's own: waking a thread
  // costs a context switch, and a batch of one file needs none.
  size_t wanted = std::min(batch.size() - 1, helpers_.size());
  for (size_t i = 0; i < wanted; ++i) sync_wake_.notify_one();
  // The worker syncs too, then waits for the helpers' last files.
  while (sync_next_ < batch.size()) {
    size_t i = sync_next_++;
    lock.unlock();
    if (results[i]) results[i] = batch[i].writer.sync_data();
    lock.lock();
    ++sync_finished_;
  }
  sync_done_.wait(lock, [&] { return sync_finished_ == batch.size(); });
  sync_batch_ = nullptr;
  sync_results_ = nullptr;
}

void CommitBatcher::help() {
  std::unique_lock lock(sync_mutex_);
  uint64_t seen = 0;
  while (true) {
    sync_wake_.wait(lock, [&] { return sync_stopping_ || sync_generation_ != seen; });
    if (sync_stopping_) return;
    seen = sync_generation_;
    while (sync_batch_ && sync_next_ < sync_batch_->size()) {
      size_t i = sync_next_++;
      auto& batch = *sync_batch_;
      auto& results = *sync_results_;
      lock.unlock();
      if (results[i]) results[i] = batch[i].writer.sync_data();
      lock.lock();
      if (++sync_finished_ == sync_batch_->size()) sync_done_.notify_one();
    }
  }
}

void CommitBatcher::commit_batch(std::vector<Pending>& batch) {
  // Each file: end record and writeback started for all, then fdatasync and rename
  // into place. A file that fails is removed by its writer.
  std::vector<Status> results(batch.size());
  for (size_t i = 0; i < batch.size(); ++i) results[i] = batch[i].writer.write_end();
  sync_all(batch, results);

  // One fsync per directory (normally just incoming/) makes every rename durable.
  std::map<std::filesystem::path, Status> dir_sync;
  for (size_t i = 0; i < batch.size(); ++i)
    if (results[i]) dir_sync.emplace(batch[i].writer.directory(), Status{});
  for (auto& [dir, status] : dir_sync)
    status = base::errno_status(base::fsync_directory(dir), "fsync " + dir.string());

  uint64_t failures = 0;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (results[i]) {
      const Status& synced = dir_sync.at(batch[i].writer.directory());
      if (!synced) {
        batch[i].writer.abandon();  // never acknowledged: must not be delivered
        results[i] = synced;
      } else {
        results[i] = batch[i].writer.mark_complete();
      }
    }
    if (!results[i]) ++failures;
  }
  {
    std::lock_guard lock(mutex_);
    stats_.files += batch.size();
    stats_.batches += dir_sync.size();
    stats_.failures += failures;
    stats_.largest_batch = std::max<uint64_t>(stats_.largest_batch, batch.size());
  }
  for (size_t i = 0; i < batch.size(); ++i)
    if (batch[i].done) batch[i].done(std::move(results[i]));
}

}  // namespace correio::queue
