// Wakes IDLE sessions when their folder changes (a delivery renamed into new/, flags
// renamed in cur/, an expunge). One inotify instance per imapd process, shared by every
// session: per-session instances would hit the kernel's max_user_instances (128 by default)
// long before 10,000 connections. Owned by the daemon; one thread; not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>

namespace correio::imapd {

class FolderWatcher {
 public:
  explicit FolderWatcher(asio::io_context& io);
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  // Returns when something changes in `folder`'s new/ or cur/, or after `max_wait`.
  // Cancellable (the caller's `||` with a read). Without inotify it simply sleeps a
  // second, so callers poll.
  asio::awaitable<void> wait(const std::filesystem::path& folder,
                             std::chrono::steady_clock::duration max_wait);

 private:
  asio::awaitable<void> read_events();
  int add_watch(const std::filesystem::path& dir);
  void release_watch(int wd);

  asio::io_context& io_;
  // The inotify instance, -1 without inotify. Asio waits on a duplicate of it owned by the
  // reading coroutine's frame, not by the watcher: the watcher is daemon state and is
  // destroyed after the io_context, when an Asio object of its own would unregister from
  // a service already deleted (heap-use-after-free). Suspended frames are destroyed while
  // the io_context's services still exist.
  int inotify_fd_ = -1;
  struct Watch {
    std::string path;
    int users = 0;
    std::set<asio::steady_timer*> waiters;
  };
  std::map<int, Watch> watches_;
  std::map<std::string, int> wd_by_path_;
  bool reading_ = false;
};

}  // namespace correio::imapd
