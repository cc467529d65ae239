// The queue manager's scheduling loop (see queue_manager.hpp).
#include "qmgr/queue_manager.hpp"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <cstring>

#include "base/inotify_events.hpp"
#include "queue/flush_log.hpp"
#include "queue/queue_id.hpp"

namespace correio::qmgr {
namespace {

// Idle agent connections kept per agent: at least the deliveries one destination may run
// at once, so that a busy destination's replies, arriving together, do not close
// connections its next requests then open again (measured: docs/performance.md, relay).
size_t idle_agent_connections(const QmgrSettings& s) {
  int most = s.default_concurrency;
  for (const auto& [transport, limit] : s.transport_concurrency) most = std::max(most, limit);
  return std::max<size_t>(64, static_cast<size_t>(std::max(most, 0)));
}

}  // namespace

QueueManager::QueueManager(asio::io_context& io, QmgrSettings settings, resolve::Resolver resolver,
                           base::Logger& log)
    : io_(io),
      settings_(std::move(settings)),
      resolver_(std::move(resolver)),
      log_(log),
      queue_(settings_.queue_directory),
      recycle_pool_(settings_.queue_directory),
      agents_(std::chrono::seconds(10), idle_agent_connections(settings_)) {
  if (settings_.fast_flush_domains.empty()) return;
  auto list = resolve::DomainList::open("fast_flush_domains", settings_.fast_flush_domains,
                                        settings_.fast_flush_parent_style);
  // `correio check` refuses a bad list; this is for a table that went away since.
  if (!list)
    log_.warning("{}; deferred mail is not logged for fast flush", list.error().message);
  else
    fast_flush_ = std::move(*list);
}

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
  asio::co_spawn(io_, maintain_flush_logs_forever(), asio::detached);
  scan(queue::QueueName::incoming, false);
  co_await scan_deferred_forever();
}

asio::awaitable<void> QueueManager::watch_incoming() {
  // Notification, not polling: a queue file in incoming/ is complete (and durable) once
  // its writer has set mode 0700 (IN_ATTRIB); recovery moves files in (IN_MOVED_TO).
  // The same descriptor watches flush/ for the revive trigger, so that a flush's trigger
  // is seen before the files it then moves into incoming/ (one queue, in order).
  int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  int incoming_wd = fd < 0 ? -1
                           : inotify_add_watch(fd, queue_.path(queue::QueueName::incoming).c_str(),
                                               IN_MOVED_TO | IN_ATTRIB);
  if (incoming_wd < 0) {
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
  int flush_wd = inotify_add_watch(fd, queue_.path(queue::QueueName::flush).c_str(),
                                   IN_CLOSE_WRITE | IN_ATTRIB | IN_MOVED_TO);
  if (flush_wd < 0)
    log_.warning("inotify on flush/: {}; a flush does not revive dead destinations",
                 std::strerror(errno));
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
      if (event.wd == flush_wd) {
        if (event.name == queue::kReviveTrigger) revive_dead_destinations();
        continue;
      }
      if (event.mask & IN_Q_OVERFLOW) scan(queue::QueueName::incoming, false);
      if (queue::is_valid_queue_id(event.name))
        start(std::string(event.name), queue::QueueName::incoming);
    }
  }
}

void QueueManager::revive_dead_destinations() {
  for (auto& [key, limit] : limits_) {
    if (!limit->dead()) continue;
    log_.info("destination {}: flushed, delivery resumed", key);
    limit->revive();
  }
}

void QueueManager::log_for_fast_flush(const std::string& id,
                                      const std::vector<queue::RecipientFailure>& deferred) {
  if (!fast_flush_) return;
  std::set<std::string> sites;
  for (const auto& r : deferred) {
    size_t at = r.recipient.rfind('@');
    if (at == std::string::npos) continue;
    std::string site = queue::flush_site_name(std::string_view(r.recipient).substr(at + 1));
    if (site.empty() || !sites.insert(site).second) continue;
    auto listed = fast_flush_->contains(site);
    if (!listed) {
      log_.warning("{}: fast_flush_domains: {}", id, listed.error().message);
      continue;
    }
    if (!*listed) continue;
    if (auto st = queue::flush_log_add(queue_, site, id); !st)
      log_.warning("{}: fast flush log for {}: {}", id, site, st.error().message);
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
