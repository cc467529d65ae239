// The shared inotify watcher (see folder_watcher.hpp): one reading coroutine for the
// process, reference-counted watches, and the per-session Interest sets NOTIFY keeps.
#include "imapd/folder_watcher.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <vector>

#include "base/inotify_events.hpp"

namespace correio::imapd {

FolderWatcher::FolderWatcher(asio::io_context& io)
    : io_(io), inotify_fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {}

FolderWatcher::~FolderWatcher() {
  for (Interest* interest : interests_) {
    interest->watcher_ = nullptr;
    interest->wds_.clear();
    interest->complete_ = false;  // its owner polls from now on
  }
  if (inotify_fd_ >= 0) ::close(inotify_fd_);
}

int FolderWatcher::add_watch(const std::filesystem::path& dir) {
  if (inotify_fd_ < 0) return -1;
  int wd = ::inotify_add_watch(inotify_fd_, dir.c_str(),
                               IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ONLYDIR);
  if (wd < 0) return -1;
  Watch& w = watches_[wd];
  w.path = dir.string();
  ++w.users;
  if (!reading_) {
    reading_ = true;
    asio::co_spawn(io_, read_events(), asio::detached);
  }
  return wd;
}

void FolderWatcher::release_watch(int wd) {
  auto it = watches_.find(wd);
  if (it == watches_.end()) return;  // the kernel dropped it (IN_IGNORED)
  if (--it->second.users > 0) return;
  ::inotify_rm_watch(inotify_fd_, wd);
  watches_.erase(it);
}

asio::awaitable<void> FolderWatcher::read_events() {
  int fd = ::fcntl(inotify_fd_, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) {
    reading_ = false;  // waiters still wake at their time limit
    co_return;
  }
  asio::posix::stream_descriptor events(io_, fd);
  std::array<char, 8192> buffer;
  for (;;) {
    std::error_code ec;
    size_t n = co_await events.async_read_some(asio::buffer(buffer),
                                               asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      reading_ = false;
      co_return;
    }
    for (const base::InotifyEvent& event : base::parse_inotify_events({buffer.data(), n})) {
      if (event.mask & IN_Q_OVERFLOW) {
        // The kernel's queue overflowed (fs.inotify.max_queued_events) and events were
        // lost: anything may have changed, so every Interest looks again.
        for (Interest* interest : interests_) interest->changed();
        continue;
      }
      auto it = watches_.find(event.wd);
      if (it == watches_.end()) continue;
      for (Interest* interest : it->second.interests) interest->changed();
      if (event.mask & IN_IGNORED) {
        // The directory is gone (a folder deleted or renamed away) and the kernel dropped
        // the watch: its Interests forget it, so that their next set() watches whatever
        // directory has the path by then.
        for (Interest* interest : it->second.interests)
          std::erase_if(interest->wds_,
                        [&](const auto& entry) { return entry.second == event.wd; });
        watches_.erase(it);
      }
    }
  }
}

asio::awaitable<void> FolderWatcher::wait(const std::filesystem::path& folder,
                                          std::chrono::steady_clock::duration max_wait) {
  Interest interest(*this);
  interest.set({folder / "new", folder / "cur"});
  // Without inotify, wake every second so that the caller polls.
  if (!interest.complete())
    max_wait = std::min<std::chrono::steady_clock::duration>(max_wait, std::chrono::seconds(1));
  co_await interest.wait(max_wait);
}

FolderWatcher::Interest::Interest(FolderWatcher& watcher)
    : watcher_(&watcher), timer_(watcher.io_) {
  watcher.interests_.insert(this);
}

FolderWatcher::Interest::~Interest() {
  set({});
  if (watcher_ != nullptr) watcher_->interests_.erase(this);
}

void FolderWatcher::Interest::set(const std::vector<std::filesystem::path>& dirs) {
  if (watcher_ == nullptr) {
    complete_ = dirs.empty();
    return;
  }
  std::map<std::string, int> kept;
  complete_ = true;
  for (const auto& dir : dirs) {
    std::string key = dir.string();
    if (kept.contains(key)) continue;
    if (auto it = wds_.find(key); it != wds_.end()) {
      kept.insert(*it);
      wds_.erase(it);
      continue;
    }
    int wd = watcher_->add_watch(dir);
    if (wd < 0) {
      complete_ = false;  // polled by the caller instead
      continue;
    }
    watcher_->watches_[wd].interests.insert(this);
    kept.emplace(std::move(key), wd);
  }
  for (const auto& entry : wds_) {  // no longer wanted
    // (A plain variable: clang 14 cannot capture a structured binding.)
    int wd = entry.second;
    // A folder renamed keeps its watch (the inode's): the new path may hold the same wd.
    bool still =
        std::any_of(kept.begin(), kept.end(), [&](const auto& k) { return k.second == wd; });
    auto it = watcher_->watches_.find(wd);
    if (it != watcher_->watches_.end() && !still) it->second.interests.erase(this);
    watcher_->release_watch(wd);
  }
  wds_ = std::move(kept);
}

void FolderWatcher::Interest::changed() {
  pending_ = true;
  timer_.cancel();  // wakes wait(); a no-op when none runs
}

bool FolderWatcher::Interest::take() {
  bool was = pending_;
  pending_ = false;
  return was;
}

asio::awaitable<void> FolderWatcher::Interest::wait(std::chrono::steady_clock::duration max_wait) {
  if (pending_) co_return;
  timer_.expires_after(max_wait);
  std::error_code ec;
  co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace correio::imapd
