// FolderWatcher and its Interests: a change wakes a wait, a change while nobody waits is
// remembered, a directory deleted and created again is watched again, and an Interest
// may outlive the watcher (a session destroyed with the io_context after the daemon's
// parts: the double free under ImapNotify.* before).
#include <gtest/gtest.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>

#include "imapd/folder_watcher.hpp"

namespace correio::imapd {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct Dirs {
  fs::path root =
      fs::temp_directory_path() / ("folder-watcher-" + std::to_string(::getpid()) + "-" +
                                   std::to_string(Clock::now().time_since_epoch().count()));
  Dirs() { fs::create_directories(root / "a"); }
  ~Dirs() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
  void touch(const fs::path& dir, const std::string& name) { std::ofstream(dir / name) << "x"; }
};

// Runs interest.wait(max_wait) to its end; returns how long it took.
Clock::duration timed_wait(asio::io_context& io, FolderWatcher::Interest& interest,
                           Clock::duration max_wait) {
  auto start = Clock::now();
  bool done = false;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        co_await interest.wait(max_wait);
        done = true;
      },
      asio::detached);
  io.restart();
  while (!done && Clock::now() - start < 10s) io.run_for(10ms);
  return Clock::now() - start;
}

TEST(FolderWatcher, ChangeWakesTheWaitAndIsRememberedMeanwhile) {
  Dirs d;
  asio::io_context io;
  FolderWatcher watcher(io);
  FolderWatcher::Interest interest(watcher);
  interest.set({d.root / "a"});
  ASSERT_TRUE(interest.complete());
  io.run_for(50ms);  // the watcher's reader starts
  // A change while nobody waits: the next wait returns at once, and take() says so.
  d.touch(d.root / "a", "one");
  io.restart();
  io.run_for(100ms);
  EXPECT_LT(timed_wait(io, interest, 5s), 1s);
  EXPECT_TRUE(interest.take());
  EXPECT_FALSE(interest.take());
  // A change during the wait wakes it.
  asio::steady_timer later(io);
  later.expires_after(100ms);
  later.async_wait([&](std::error_code) { d.touch(d.root / "a", "two"); });
  EXPECT_LT(timed_wait(io, interest, 5s), 3s);
  EXPECT_TRUE(interest.take());
  // Nothing: the wait lasts its time.
  EXPECT_GE(timed_wait(io, interest, 200ms), 190ms);
}

TEST(FolderWatcher, DirectoryDeletedAndCreatedAgainIsWatchedAgain) {
  Dirs d;
  asio::io_context io;
  FolderWatcher watcher(io);
  FolderWatcher::Interest interest(watcher);
  interest.set({d.root / "a"});
  io.run_for(50ms);
  fs::remove_all(d.root / "a");  // the kernel drops the watch (IN_IGNORED)
  io.restart();
  io.run_for(100ms);
  interest.take();
  fs::create_directories(d.root / "a");
  interest.set({d.root / "a"});  // same path, new directory
  EXPECT_TRUE(interest.complete());
  d.touch(d.root / "a", "new");
  io.restart();
  io.run_for(100ms);
  EXPECT_TRUE(interest.take());
}

TEST(FolderWatcher, InterestMayOutliveTheWatcher) {
  Dirs d;
  asio::io_context io;
  auto watcher = std::make_unique<FolderWatcher>(io);
  FolderWatcher::Interest interest(*watcher);
  interest.set({d.root / "a"});
  io.run_for(50ms);
  watcher.reset();
  EXPECT_FALSE(interest.complete());  // its owner polls from now on
  interest.set({d.root / "a"});       // and may still set and be destroyed
  EXPECT_FALSE(interest.complete());
}

}  // namespace
}  // namespace correio::imapd
