// The shared inotify watcher (see folder_watcher.hpp): one reading coroutine for the
// process, reference-counted watches, and the per-session Interest sets NOTIFY keeps.
#include "imapd/folder_watcher.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <unistd.h>

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
  wd_by_path_[w.path] = wd;
  if (!reading_) {
    reading_ = true;
    asio::co_spawn(io_, read_events(), asio::detached);
  }
  return wd;
}

void FolderWatcher::release_watch(int wd) {
  auto it = watches_.find(wd);
  if (it == watches_.end()) return;
  if (--it->second.users > 0) return;
  ::inotify_rm_watch(inotify_fd_, wd);
  wd_by_path_.erase(it->second.path);
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
      auto it = watches_.find(event.wd);
      if (it == watches_.end()) continue;
      for (asio::steady_timer* timer : it->second.waiters) timer->cancel();
      for (Interest* interest : it->second.interests) {
        interest->pending_ = true;
        if (interest->waiter_ != nullptr) interest->waiter_->cancel();
      }
    }
  }
}

asio::awaitable<void> FolderWatcher::wait(const std::filesystem::path& folder,
                                          std::chrono::steady_clock::duration max_wait) {
  asio::steady_timer timer(io_);
  std::vector<int> wds;
  for (const char* sub : {"new", "cur"}) {
    int wd = add_watch(folder / sub);
    if (wd >= 0) {
      wds.push_back(wd);
      watches_[wd].waiters.insert(&timer);
    }
  }
  // Without inotify, wake every second so that the caller polls.
  timer.expires_after(
      wds.empty() ? std::min<std::chrono::steady_clock::duration>(max_wait, std::chrono::seconds(1))
                  : max_wait);
  // Deregister on every path out, including cancellation by the caller.
  struct Cleanup {
    FolderWatcher& self;
    asio::steady_timer& timer;
    std::vector<int>& wds;
    ~Cleanup() {
      for (int wd : wds) {
        auto it = self.watches_.find(wd);
        if (it != self.watches_.end()) it->second.waiters.erase(&timer);
        self.release_watch(wd);
      }
    }
  } cleanup{*this, timer, wds};
  std::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

FolderWatcher::Interest::~Interest() {
  set({});
}

void FolderWatcher::Interest::set(const std::vector<std::filesystem::path>& dirs) {
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
    int wd = watcher_.add_watch(dir);
    if (wd < 0) {
      complete_ = false;  // polled by the caller instead
      continue;
    }
    watcher_.watches_[wd].interests.insert(this);
    kept.emplace(std::move(key), wd);
  }
  for (const auto& [path, wd] : wds_) {  // no longer wanted
    if (auto it = watcher_.watches_.find(wd); it != watcher_.watches_.end())
      it->second.interests.erase(this);
    watcher_.release_watch(wd);
  }
  wds_ = std::move(kept);
}

bool FolderWatcher::Interest::take() {
  bool was = pending_;
  pending_ = false;
  return was;
}

asio::awaitable<void> FolderWatcher::Interest::wait(std::chrono::steady_clock::duration max_wait) {
  if (pending_) co_return;
  asio::steady_timer timer(watcher_.io_);
  timer.expires_after(max_wait);
  waiter_ = &timer;
  struct Cleanup {
    Interest& self;
    ~Cleanup() { self.waiter_ = nullptr; }
  } cleanup{*this};
  std::error_code ec;
  co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace correio::imapd
