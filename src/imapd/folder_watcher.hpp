// Wakes IDLE and NOTIFY sessions when their folders change (a delivery renamed into new/,
// flags renamed in cur/, an expunge, a folder, subscription or METADATA file replaced).
// One inotify instance per imapd process, shared by every session: per-session instances
// would hit the kernel's max_user_instances (128 by default) long before 10,000
// connections. Owned by the daemon; one thread (the event loop's); not thread-safe.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace correio::imapd {

class FolderWatcher {
 public:
  explicit FolderWatcher(asio::io_context& io);
  // Detaches the Interests still alive (see Interest): they watch nothing from then on.
  ~FolderWatcher();
  FolderWatcher(const FolderWatcher&) = delete;
  FolderWatcher& operator=(const FolderWatcher&) = delete;

  // Returns when something changes in `folder`'s new/ or cur/, or after `max_wait`.
  // Cancellable (the caller's `||` with a read). Without inotify it simply sleeps a
  // second, so callers poll.
  asio::awaitable<void> wait(const std::filesystem::path& folder,
                             std::chrono::steady_clock::duration max_wait);

  // A set of directories one session watches across commands (NOTIFY, RFC 5465, and
  // wait() above): events that arrive while the session runs a command are remembered,
  // so none is lost between a report and the next wait. Event loop only.
  //
  // Lifetime: owned by its session (or a wait()'s frame), and holds only what it owns —
  // its timer and its watch descriptors; the watcher reaches it through the registry
  // below, which the Interest leaves in its destructor. Either may be destroyed first:
  // a watcher that goes first detaches its Interests (a session frame destroyed with the
  // io_context after the daemon's parts must not touch a freed watcher). The timer is an
  // Asio object: an Interest must go before its io_context's services (as sessions do).
  class Interest {
   public:
    explicit Interest(FolderWatcher& watcher);
    ~Interest();
    Interest(const Interest&) = delete;
    Interest& operator=(const Interest&) = delete;

    // Watches exactly `dirs` from now on (directories that cannot be watched, e.g.
    // without inotify or over the kernel's max_user_watches, make complete() false).
    void set(const std::vector<std::filesystem::path>& dirs);
    // Whether every directory of the last set() is watched; if not, callers poll.
    bool complete() const { return complete_; }
    // Whether something changed since the last take(); clears the mark.
    bool take();
    // Returns when something changed (at once if take() would be true) or after
    // `max_wait`. Cancellable; one wait at a time.
    asio::awaitable<void> wait(std::chrono::steady_clock::duration max_wait);

   private:
    friend class FolderWatcher;
    // From the watcher: something changed in one of the directories.
    void changed();

    FolderWatcher* watcher_;          // null once the watcher is gone
    std::map<std::string, int> wds_;  // path -> watch descriptor
    bool complete_ = true;
    bool pending_ = false;
    asio::steady_timer timer_;  // wait()'s; a change cancels it
  };

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
    std::set<Interest*> interests;
  };
  std::map<int, Watch> watches_;
  std::set<Interest*> interests_;  // every live Interest, for the destructor
  bool reading_ = false;
};

}  // namespace correio::imapd
