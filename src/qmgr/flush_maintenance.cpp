// qmgr's part in fast flush upkeep: Postfix's master wakes flush(8) every 1000 seconds
// for a "refresh"; Correio has no flush daemon, so the queue manager, which writes the
// logs, runs queue::maintain_flush_logs on the same rhythm.
#include <algorithm>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <vector>

#include "qmgr/queue_manager.hpp"
#include "queue/flush_log.hpp"

namespace correio::qmgr {

asio::awaitable<void> QueueManager::maintain_flush_logs_forever() {
  // Postfix's "flush unix n - n 1000? 0 flush": a wake-up every 1000 seconds; sooner
  // when a time is set shorter, so that a short refresh or purge time means what it says.
  std::chrono::seconds period =
      std::min({std::chrono::seconds(1000), settings_.flush_refresh_time / 2,
                settings_.flush_purge_time / 2});
  period = std::max(period, std::chrono::seconds(1));
  asio::steady_timer timer(io_);
  for (;;) {
    timer.expires_after(period);
    co_await timer.async_wait(asio::use_awaitable);
    std::vector<std::string> problems;
    queue::FlushMaintenance done = queue::maintain_flush_logs(queue_, settings_.flush_refresh_time,
                                                              settings_.flush_purge_time, problems);
    for (const std::string& problem : problems) log_.warning("fast flush refresh: {}", problem);
    if (done.refreshed || done.purged)
      log_.info(
          "fast flush refresh: {} log(s) refreshed, {} message(s) requeued, {} empty "
          "log(s) removed",
          done.refreshed, done.requeued, done.purged);
  }
}

}  // namespace correio::qmgr
