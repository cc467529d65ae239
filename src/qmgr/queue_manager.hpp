// The queue manager: sees new mail at once (inotify on incoming/), moves it to active/,
// routes each recipient, hands recipients to delivery agents with per-destination
// concurrency limits, then marks recipients done, defers with Postfix's backoff, or
// bounces (RFC 3464) — and removes the file when nothing is left. Deferred mail is retried
// when its time (the file's mtime) comes, scanned every queue_run_delay.
// One QueueManager per qmgr process; single-threaded on its io_context.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "base/log.hpp"
#include "config/config.hpp"
#include "delivery/protocol.hpp"
#include "qmgr/agent_client.hpp"
#include "qmgr/concurrency_window.hpp"
#include "qmgr/delivery_metrics.hpp"
#include "qmgr/destination_limit.hpp"
#include "qmgr/dsn_report.hpp"
#include "queue/defer_log.hpp"
#include "queue/queue.hpp"
#include "queue/queue_file_reader.hpp"
#include "queue/recycle_pool.hpp"
#include "resolve/resolver.hpp"

namespace correio::qmgr {

struct QmgrSettings {
  std::filesystem::path queue_directory;
  std::string myhostname;
  std::chrono::seconds minimal_backoff{300}, maximal_backoff{4000}, queue_run_delay{300};
  std::chrono::seconds maximal_queue_lifetime{5 * 86400}, bounce_queue_lifetime{5 * 86400};
  std::chrono::seconds agent_timeout{600};
  std::chrono::seconds delay_warning_time{0};  // 0: no delay warnings
  int default_concurrency = 20;
  std::map<std::string, int, std::less<>> transport_concurrency;  // "local" -> 2, ...
  // default_destination_rate_delay and TRANSPORT_destination_rate_delay (0: none).
  std::chrono::seconds default_rate_delay{0};
  std::map<std::string, std::chrono::seconds, std::less<>> transport_rate_delay;
  // Concurrency feedback (SCHEDULER_README): initial_destination_concurrency,
  // default_destination_concurrency_{failed_cohort_limit,positive_feedback,
  // negative_feedback} and their TRANSPORT_ variants. `limit` is filled per transport.
  WindowSettings default_window;
  std::map<std::string, WindowSettings, std::less<>> transport_window;
  std::string double_bounce_recipient = "postmaster";
  // notify_classes (Postfix's bounce(8)): "bounce" sends the postmaster a copy of each
  // bounce (headers only) and implies "2bounce", undeliverable bounces to the postmaster
  // (without it they are discarded); "delay" a copy of each delay warning.
  bool notify_bounce = false, notify_2bounce = false, notify_delay = false;
  std::string bounce_notice_recipient = "postmaster";
  std::string delay_notice_recipient = "postmaster";
  bool soft_bounce = false;  // would-be bounces are deferred (Postfix's soft_bounce)
  // fast_flush_domains (flush(8)): deferred mail for these sites is logged in flush/SITE
  // for ETRN and postqueue -s. Opened by the QueueManager.
  std::string fast_flush_domains;
  bool fast_flush_parent_style = true;
  // fast_flush_refresh_time and fast_flush_purge_time (flush(8) "refresh"; see
  // queue::maintain_flush_logs).
  std::chrono::seconds flush_refresh_time{12 * 3600}, flush_purge_time{7 * 86400};

  static QmgrSettings from_config(const config::Config& config);
  int concurrency_for(std::string_view transport) const;
  std::chrono::seconds rate_delay_for(std::string_view transport) const;
  WindowSettings window_for(std::string_view transport) const;
};

class QueueManager {
 public:
  QueueManager(asio::io_context& io, QmgrSettings settings, resolve::Resolver resolver,
               base::Logger& log);
  ~QueueManager();

  // Recovers the queue, then runs until the io_context stops.
  asio::awaitable<void> run();

  // Counts deliveries in `registry` (which must outlive the manager) from now on.
  void count_in(metrics::Registry& registry) {
    delivery_metrics_ = std::make_unique<DeliveryMetrics>(registry);
  }

 private:
  asio::awaitable<void> watch_incoming();
  // A flush (postqueue -f/-s, sendmail -q, ETRN) touched flush/.revive: every dead
  // destination gets another chance (Postfix's qmgr on QMGR_REQ_FLUSH_DEAD).
  void revive_dead_destinations();
  // Logs `id` in flush/SITE for each fast_flush_domains site among `deferred`.
  void log_for_fast_flush(const std::string& id,
                          const std::vector<queue::RecipientFailure>& deferred);
  asio::awaitable<void> scan_deferred_forever();
  // flush(8)'s periodic "refresh" request (flush_maintenance.cpp).
  asio::awaitable<void> maintain_flush_logs_forever();
  void scan(queue::QueueName q, bool only_due);
  void start(std::string id, queue::QueueName from);
  asio::awaitable<void> process(std::string id, queue::QueueName from);
  asio::awaitable<std::vector<delivery::RecipientResult>> deliver(
      const resolve::Route& route, delivery::DeliveryRequest request);
  void log_result(const delivery::DeliveryRequest& request, const delivery::RequestRecipient& r,
                  const delivery::RecipientResult& result, std::string_view relay);
  // Queues a report to the sender (or to postmaster for null-sender mail); false on error.
  // The bounce result (and its log line) for a recipient of a message content inspection
  // rejected at pickup (Envelope::content_rejected).
  delivery::RecipientResult rejected_content(const std::string& id, const queue::Envelope& envelope,
                                             const queue::Recipient& rcpt, int64_t active_us);
  bool send_bounce(const std::string& id, const queue::QueueFile& file,
                   const std::vector<delivery::RecipientResult>& failed);
  void maybe_warn_delay(const std::string& id, const queue::QueueFile& file,
                        std::chrono::microseconds age,
                        const std::vector<delivery::RecipientResult>& results);
  // Queues a report of `kind` about those of `about` whose NOTIFY asks for it; true when
  // queued or not wanted, false on a queue error.
  bool send_report(const std::string& id, const queue::QueueFile& file, DsnInput::Kind kind,
                   const std::vector<delivery::RecipientResult>& about);
  // Builds the report `in` (its original read from active/) and queues it for `to`;
  // logs "ID: WORDING: NEWID". False on a queue error.
  bool queue_report(const std::string& id, DsnInput& in, const std::string& to,
                    std::string_view wording);
  DsnInput report_input(const std::string& id, const queue::Envelope& envelope,
                        DsnInput::Kind kind) const;

  asio::io_context& io_;
  QmgrSettings settings_;
  resolve::Resolver resolver_;
  base::Logger& log_;
  queue::Queue queue_;
  queue::RecyclePool recycle_pool_;  // finished messages' files, reused by smtpd
  std::set<std::string> in_flight_;
  std::map<std::string, std::unique_ptr<DestinationLimit>> limits_;
  std::optional<resolve::DomainList> fast_flush_;      // none when empty or unusable
  AgentClient agents_;                                 // kept connections to the delivery agents
  std::unique_ptr<DeliveryMetrics> delivery_metrics_;  // null: not counted
};

}  // namespace correio::qmgr
