// Tests for group commit (src/queue/commit_batcher.cpp): many threads commit at once,
// every callback fires once, every file is complete, and directory syncs are shared.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "queue/commit_batcher.hpp"
#include "queue/queue.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue_test_support.hpp"

namespace correio::queue {
namespace {

class CommitBatcherTest : public testing::QueueDirTest {};

TEST_F(CommitBatcherTest, ManyThreadsAllCallbacksFireAllFilesComplete) {
  constexpr int kThreads = 16, kPerThread = 25;
  std::mutex mutex;
  std::set<std::string> ids;
  std::atomic<int> callbacks{0}, failures{0};
  CommitBatcher::Stats stats;
  {
    CommitBatcher batcher;
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t)
      threads.emplace_back([&, t] {
        for (int i = 0; i < kPerThread; ++i) {
          auto w = QueueFileWriter::create(root_, testing::sample_envelope());
          if (!w.ok() || !w->append_content(fmt::format("message {} {}\r\n", t, i)).ok()) {
            ++failures;
            continue;
          }
          {
            std::lock_guard lock(mutex);
            ids.insert(w->id());
          }
          batcher.commit_async(std::move(*w), [&](Status s) {
            if (!s) ++failures;
            ++callbacks;
          });
        }
      });
    for (auto& t : threads) t.join();
    // The destructor commits what is still pending before returning.
    stats = batcher.stats();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(callbacks.load(), kThreads * kPerThread);
  EXPECT_EQ(ids.size(), size_t{kThreads * kPerThread});
  auto listed = Queue(root_).list(QueueName::incoming);
  ASSERT_TRUE(listed.ok());
  EXPECT_EQ(std::set<std::string>(listed->begin(), listed->end()), ids);
  EXPECT_EQ(count(QueueName::incoming), ids.size());  // no temporary files left
  for (const std::string& id : *listed)
    EXPECT_TRUE(read_queue_file(dir(QueueName::incoming) / id).ok()) << id;
  EXPECT_LE(stats.batches, stats.files);
}

TEST_F(CommitBatcherTest, SyncsAreSharedWhenSubmittedTogether) {
  std::vector<QueueFileWriter> writers;
  for (int i = 0; i < 50; ++i) {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    ASSERT_TRUE(w.ok());
    writers.push_back(std::move(*w));
  }
  std::atomic<int> ok{0};
  CommitBatcher batcher(CommitBatcher::Options{.max_batch = 256, .sync_threads = 4});
  // Submitting takes microseconds, a sync far longer: the files queue up behind the
  // first batch and share directory syncs.
  for (auto& w : writers) batcher.commit_async(std::move(w), [&](Status s) { ok += s.ok(); });
  while (ok.load() < 50) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_EQ(ok.load(), 50);
  EXPECT_LT(batcher.stats().batches, 50u);
  EXPECT_GT(batcher.stats().largest_batch, 1u);
  EXPECT_EQ(count(QueueName::incoming), 50u);
}

TEST_F(CommitBatcherTest, SynchronousCommitAndStats) {
  CommitBatcher batcher(CommitBatcher::Options{.max_batch = 1, .sync_threads = 1});
  for (int i = 0; i < 3; ++i) {
    auto w = QueueFileWriter::create(root_, testing::sample_envelope());
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE(batcher.commit(std::move(*w)).ok());
  }
  auto stats = batcher.stats();
  EXPECT_EQ(stats.files, 3u);
  EXPECT_EQ(stats.batches, 3u);
  EXPECT_EQ(stats.largest_batch, 1u);
  EXPECT_EQ(stats.failures, 0u);
}

TEST_F(CommitBatcherTest, AFailedFileIsReportedAndLeavesNothing) {
  auto good = QueueFileWriter::create(root_, testing::sample_envelope());
  auto bad = QueueFileWriter::create(root_, testing::sample_envelope());
  ASSERT_TRUE(good.ok() && bad.ok());
  std::string bad_id = bad->id();
  CommitBatcher batcher;
  bad->abandon();  // the file is gone: committing it must fail, not crash
  Status bad_status = batcher.commit(std::move(*bad));
  EXPECT_FALSE(bad_status.ok());
  EXPECT_TRUE(batcher.commit(std::move(*good)).ok());
  EXPECT_EQ(count(QueueName::incoming), 1u);
  EXPECT_FALSE(std::filesystem::exists(dir(QueueName::incoming) / bad_id));
  EXPECT_EQ(batcher.stats().failures, 1u);
}

}  // namespace
}  // namespace correio::queue
