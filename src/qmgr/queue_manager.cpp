// The queue manager's scheduling loop (see queue_manager.hpp).
#include "qmgr/queue_manager.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cstring>

#include "base/inotify_events.hpp"
#include "queue/queue_id.hpp"

namespace correio::qmgr {
namespace {}  // namespace

QueueManager::QueueManager(asio::io_context& io, QmgrSettings settings, resolve::Resolver resolver,
                           base::Logger& log)
    : io_(io),
      settings_(std::move(settings)),
      resolver_(std::move(resolver)),
      log_(log),
      queue_(settings_.queue_directory),
      recycle_pool_(settings_.queue_directory) {}

QueueManager::~QueueManager() = default;

asio::awaitable<void> QueueManager::run() {
  auto report = queue_.recover();
  if (!report) {
    log_.fatal("queue recovery: {}", report.error().message);
    io_.stop();
    co_return;
  }
  for (const auto& id : report->removed_incomplete)
    log_.info("{}: removed incomplete queue file (never acknowledged)", id);
  for (size_t i = 0; i < report->corrupt.size(); ++i)
    log_.warning("{}: corrupt queue file moved to corrupt/: {}", report->corrupt[i],
                 report->corrupt_reasons[i]);
  asio::co_spawn(io_, watch_incoming(), asio::detached);
  scan(queue::QueueName::incoming, false);
  co_await scan_deferred_forever();
}

asio::awaitable<void> QueueManager::watch_incoming() {
  // Notification, not polling: a queue file in incoming/ is complete (and durable) once
  // its writer has set mode 0700 (IN_ATTRIB); recovery moves files in (IN_MOVED_TO).
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0 || inotify_add_watch(fd, queue_.path(queue::QueueName::incoming).c_str(),
                                  IN_MOVED_TO | IN_ATTRIB) < 0) {
    log_.warning("inotify on incoming/: {}; falling back to scanning every second",
                 std::strerror(errno));
    if (fd >= 0) ::close(fd);
    asio::steady_timer timer(io_);
    for (;;) {
      timer.expires_after(std::chrono::seconds(1));
      co_await timer.async_wait(asio::use_awaitable);
      scan(queue::QueueName::incoming, false);
    }
  }
  asio::posix::stream_descriptor events(io_, fd);
  char buf[8192];
  for (;;) {
    auto [ec, n] = co_await events.async_read_some(
        asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) {
      log_.warning("inotify read: {}", ec.message());
      co_return;
    }
    for (const base::InotifyEvent& event : base::parse_inotify_events({buf, n})) {
      if (event.mask & IN_Q_OVERFLOW) scan(queue::QueueName::incoming, false);
      if (queue::is_valid_queue_id(event.name))
        start(std::string(event.name), queue::QueueName::incoming);
    }
  }
}

asio::awaitable<void> QueueManager::scan_deferred_forever() {
  asio::steady_timer timer(io_);
  for (;;) {
    scan(queue::QueueName::deferred, true);
    timer.expires_after(settings_.queue_run_delay);
    co_await timer.async_wait(asio::use_awaitable);
  }
}

void QueueManager::scan(queue::QueueName q, bool only_due) {
  auto ids = queue_.list(q);
  if (!ids) {
    log_.warning("scan {}: {}", queue::queue_name(q), ids.error().message);
    return;
  }
  auto now = std::chrono::system_clock::now();
  for (const auto& id : *ids) {
    if (only_due) {
      auto due = queue_.next_attempt(id, q);
      if (due && *due > now) continue;
    }
    start(id, q);
  }
}

void QueueManager::start(std::string id, queue::QueueName from) {
  if (from == queue::QueueName::incoming) {
    // Postfix's rule: a file in incoming/ is not ours until its writer marked it complete.
    struct stat st {};
    if (::stat(queue_.path(id, from).c_str(), &st) != 0 || !(st.st_mode & S_IXUSR)) return;
  }
  if (!in_flight_.insert(id).second) return;  // already being handled
  asio::co_spawn(io_, process(std::move(id), from), [this](std::exception_ptr e) {
    if (!e) return;
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& ex) {
      log_.warning("internal error while handling a message: {}", ex.what());
    }
  });
}

}  // namespace correio::qmgr
