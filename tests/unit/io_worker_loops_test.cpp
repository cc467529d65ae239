// io::WorkerLoops: loops handed out in turn, each on a thread of its own, and joined when
// the owning io_context goes, after the handler they are running has finished.
#include <gtest/gtest.h>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>

#include "io/worker_loops.hpp"

namespace correio::io {
namespace {

using namespace std::chrono_literals;

TEST(WorkerLoops, HandsOutEachLoopInTurnEachOnItsOwnThread) {
  asio::io_context owner;
  auto& loops = asio::make_service<WorkerLoops>(owner, 3);
  std::vector<asio::io_context*> order;
  for (int i = 0; i < 6; ++i) order.push_back(&loops.next());
  EXPECT_NE(order[0], order[1]);
  EXPECT_NE(order[1], order[2]);
  EXPECT_NE(order[0], order[2]);
  EXPECT_EQ(order[0], order[3]);
  EXPECT_EQ(order[2], order[5]);

  std::mutex mutex;
  std::set<std::thread::id> threads;
  std::atomic<int> done{0};
  for (int i = 0; i < 3; ++i)
    asio::post(*order[static_cast<size_t>(i)], [&] {
      std::lock_guard lock(mutex);
      threads.insert(std::this_thread::get_id());
      ++done;
    });
  for (int i = 0; i < 200 && done < 3; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(done, 3);
  EXPECT_EQ(threads.size(), 3u);
  EXPECT_EQ(threads.count(std::this_thread::get_id()), 0u);
}

TEST(WorkerLoops, TheOwnerJoinsThemAfterTheRunningHandlerFinishes) {
  std::atomic<bool> started{false}, finished{false};
  {
    asio::io_context owner;
    auto& loops = asio::make_service<WorkerLoops>(owner, 2);
    asio::post(loops.next(), [&] {
      started = true;
      std::this_thread::sleep_for(100ms);
      finished = true;
    });
    for (int i = 0; i < 200 && !started; ++i) std::this_thread::sleep_for(5ms);
    ASSERT_TRUE(started);
  }  // owner's destructor: WorkerLoops::shutdown() stops and joins
  EXPECT_TRUE(finished);
}

}  // namespace
}  // namespace correio::io
