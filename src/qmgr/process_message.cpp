// One message's trip through active/: route, deliver by destination, then mark done,
// bounce, defer with backoff, or remove (Postfix's qmgr(8) life cycle).
#include <algorithm>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <map>
#include <optional>

#include "base/clock.hpp"
#include "delivery/log_line.hpp"
#include "qmgr/queue_manager.hpp"
#include "queue/defer_log.hpp"
#include "resolve/content_filter.hpp"

namespace correio::qmgr {
namespace {

using resolve::Route;

std::string route_key(const Route& r) {
  return r.transport + ":" + r.nexthop;
}

// Removes the ID from the in-flight set whatever way process() ends.
struct InFlightGuard {
  std::set<std::string>& set;
  std::string id;
  ~InFlightGuard() { set.erase(id); }
};

}  // namespace

asio::awaitable<std::vector<delivery::RecipientResult>> QueueManager::deliver(
    const Route& route, delivery::DeliveryRequest request) {
  std::vector<delivery::RecipientResult> results;
  auto all = [&](delivery::DeliveryStatus status, std::string dsn, std::string text) {
    for (const auto& r : request.recipients) results.push_back({r.offset, status, dsn, text});
  };
  // The error(8) and discard(8) transports need no process of their own.
  if (route.transport == "error") {
    // error(8): a nexthop "5.1.1 text" carries its own enhanced status code (RFC 3463).
    auto [dsn, text] = resolve::split_error_text(route.nexthop, "5.0.0");
    all(delivery::DeliveryStatus::bounced, dsn,
        text.empty() ? "mail is not accepted for this destination" : text);
  } else if (route.transport == "retry") {
    // error(8) started as "retry" (master.cf's stock retry service): the same nexthop
    // syntax, but the recipients are deferred, not bounced.
    auto [dsn, text] = resolve::split_error_text(route.nexthop, "4.0.0");
    all(delivery::DeliveryStatus::deferred, dsn,
        text.empty() ? "delivery temporarily suspended" : text);
  } else if (route.transport == "discard") {
    all(delivery::DeliveryStatus::sent, "2.0.0",
        route.nexthop.empty() ? "discarded" : route.nexthop);
  } else {
    const std::string key = route_key(route);
    auto& limit = limits_[key];
    if (!limit)
      limit = std::make_unique<DestinationLimit>(settings_.window_for(route.transport),
                                                 settings_.rate_delay_for(route.transport),
                                                 settings_.minimal_backoff);
    const bool admitted = co_await limit->acquire();
    if (admitted) {
      auto reply = co_await agents_.call(settings_.queue_directory / "private" / route.transport,
                                         request, settings_.agent_timeout);
      // An agent that cannot be reached says nothing about the site: no feedback.
      auto outcome = DestinationLimit::Outcome::none;
      std::string reason;
      if (reply) {
        outcome = DestinationLimit::Outcome::reached;
        for (const auto& r : *reply)
          if (r.site_failure) {
            outcome = DestinationLimit::Outcome::site_failed;
            reason = r.text;
          }
      }
      if (limit->release(outcome, reason))
        log_.info(
            "{}: destination {} is dead for {}s (concurrency feedback: {} failed "
            "cohort(s)): {}",
            request.queue_id, key, settings_.minimal_backoff.count(),
            settings_.window_for(route.transport).cohort_limit, reason);
      if (reply) co_return std::move(*reply);
      log_.warning("{}: transport {}: {}", request.queue_id, route.transport,
                   reply.error().message);
      all(delivery::DeliveryStatus::deferred, "4.3.0", "mail transport unavailable");
    } else {
      // Postfix's qmgr(8) on a dead destination: the mail waits without an attempt
      // (qmgr_defer_todo), its reason the failure that killed the site.
      all(delivery::DeliveryStatus::deferred, "4.4.1",
          "delivery temporarily suspended: " + limit->dead_reason());
    }
  }
  // Only results qmgr produced itself are logged here; agents log their own.
  for (size_t i = 0; i < results.size(); ++i)
    log_result(request, request.recipients[i], results[i], "none");
  co_return results;
}

void QueueManager::log_result(const delivery::DeliveryRequest& request,
                              const delivery::RequestRecipient& r,
                              const delivery::RecipientResult& result, std::string_view relay) {
  delivery::RecipientLogLine line;
  line.queue_id = request.queue_id;
  line.to = r.address;
  line.orig_to = r.original;
  line.relay = relay;
  line.times.arrival_us = request.arrival_us;
  line.times.active_us = request.active_us;
  line.times.start_us = request.active_us;
  line.times.connected_us = request.active_us;
  line.times.done_us = base::now_us();
  line.dsn = result.dsn;
  line.status = result.status;
  line.text = result.text;
  line.soft_bounce = settings_.soft_bounce;
  log_.info("{}", delivery::format_recipient_log(line));
}

// delay_warning_time: once a message has waited that long and is still deferred, its
// sender hears about it, once; the queue file's delay-warning record remembers it.
void QueueManager::maybe_warn_delay(const std::string& id, const queue::QueueFile& file,
                                    std::chrono::microseconds age,
                                    const std::vector<delivery::RecipientResult>& results) {
  if (settings_.delay_warning_time.count() <= 0 || age < settings_.delay_warning_time) return;
  if (file.delay_warning_offset == 0 || file.delay_warning_sent) return;
  std::vector<delivery::RecipientResult> delayed;
  for (const auto& r : results)
    if (r.status == delivery::DeliveryStatus::deferred) delayed.push_back(r);
  if (delayed.empty()) return;
  if (!send_report(id, file, DsnInput::Kind::delay, delayed)) return;  // try again next time
  auto path = queue_.path(id, queue::QueueName::active);
  if (auto st = queue::mark_delay_warning_sent(path, file.delay_warning_offset); !st)
    log_.warning("{}: cannot record the delay warning: {}", id, st.error().message);
}

delivery::RecipientResult QueueManager::rejected_content(const std::string& id,
                                                         const queue::Envelope& envelope,
                                                         const queue::Recipient& rcpt,
                                                         int64_t active_us) {
  const std::string& reason = envelope.content_rejected;  // "5.7.1 text"
  size_t space = reason.find(' ');
  delivery::RecipientResult result{rcpt.offset, delivery::DeliveryStatus::bounced,
                                   reason.substr(0, space),
                                   space == std::string::npos ? "" : reason.substr(space + 1)};
  delivery::RecipientLogLine line;
  line.queue_id = id;
  line.to = rcpt.address;
  line.orig_to = rcpt.original;
  line.relay = "none";
  int64_t now = base::now_us();
  line.times = {envelope.arrival_us, active_us, now, now, now};
  line.dsn = result.dsn;
  line.status = result.status;
  line.text = result.text;
  log_.info("{}", delivery::format_recipient_log(line));
  return result;
}

asio::awaitable<void> QueueManager::process(std::string id, queue::QueueName from) {
  InFlightGuard guard{in_flight_, id};
  if (from != queue::QueueName::active) {
    // Unsynced: after a crash the file is in incoming/ or active/, and recovery takes both.
    if (!queue_.move(id, from, queue::QueueName::active, queue::Sync::lazy)) co_return;
  }
  auto path = queue_.path(id, queue::QueueName::active);
  auto file = queue::read_queue_file(path);
  if (!file) {
    log_.warning("{}: corrupt queue file: {}", id, file.error().message);
    if (!queue_.move(id, queue::QueueName::active, queue::QueueName::corrupt))
      log_.warning("{}: cannot move to corrupt/", id);
    co_return;
  }
  const auto& envelope = file->envelope;
  int64_t active_us = base::now_us();
  log_.info("{}: from=<{}>, size={}, nrcpt={} (queue active)", id, envelope.sender,
            file->message_size, envelope.recipients.size());

  // content_filter / FILTER (queue_file_format.hpp): a filter that does not parse
  // keeps the message deferred, never delivered unfiltered.
  std::optional<resolve::ContentFilter> filter;
  bool bad_filter = false;
  if (!envelope.content_filter.empty()) {
    auto parsed = resolve::parse_content_filter(envelope.content_filter);
    if (parsed) {
      filter = std::move(*parsed);
    } else {
      bad_filter = true;
      log_.warning("{}: {}; message deferred", id, parsed.error().message);
    }
  }

  // Group the pending recipients by destination.
  std::map<std::string, std::pair<Route, delivery::DeliveryRequest>> groups;
  std::vector<delivery::RecipientResult> results;
  for (const auto& rcpt : envelope.recipients) {
    if (rcpt.done) continue;
    if (!envelope.content_rejected.empty()) {
      // header_checks REJECT of a local submission: returned to the sender for every
      // recipient, as Postfix's cleanup bounces what pickup brings it.
      results.push_back(rejected_content(id, envelope, rcpt, active_us));
      continue;
    }
    if (bad_filter) {
      results.push_back(
          {rcpt.offset, delivery::DeliveryStatus::deferred, "4.3.5", "bad content filter"});
      continue;
    }
    auto resolved = resolver_.resolve(rcpt.address, envelope.sender);
    if (!resolved) {
      // A domain table failed: try again later, as Postfix defers on a resolver error.
      log_.warning("{}: to=<{}>: address resolver failure: {}", id, rcpt.address,
                   resolved.error().message);
      results.push_back(
          {rcpt.offset, delivery::DeliveryStatus::deferred, "4.3.0", "address resolver failure"});
      continue;
    }
    Route route = std::move(*resolved);
    if (filter) {
      // FILTER_README: every recipient goes through the filter, address unchanged.
      route = resolve::filter_route(*filter, std::move(route));
      route.recipient = rcpt.address;
    }
    auto& [r, request] = groups[route_key(route)];
    if (request.recipients.empty()) {
      r = route;
      request.queue_id = id;
      request.queue_file = path.string();
      request.transport = route.transport;
      request.nexthop = route.nexthop;
      request.sender = envelope.sender;
      request.arrival_us = envelope.arrival_us;
      request.active_us = active_us;
    }
    // A rewritten recipient (user%site@local, postmaster@ a virtual domain) keeps the
    // address it was given as the original one (orig_to=, X-Original-To:).
    std::string original = rcpt.original;
    if (original.empty() && route.recipient != rcpt.address) original = rcpt.address;
    request.recipients.push_back(
        {rcpt.offset, route.recipient, std::move(original), rcpt.orcpt, rcpt.notify});
  }

  for (auto& [key, group] : groups) {
    auto part = co_await deliver(group.first, group.second);
    if (delivery_metrics_)
      delivery_metrics_->record(group.first.transport, part, envelope.arrival_us, base::now_us());
    results.insert(results.end(), part.begin(), part.end());
  }

  // Expired mail: what is still deferred is returned to the sender.
  auto age = std::chrono::microseconds(base::now_us() - envelope.arrival_us);
  auto lifetime =
      envelope.sender.empty() ? settings_.bounce_queue_lifetime : settings_.maximal_queue_lifetime;
  bool expired = age >= lifetime;
  std::vector<delivery::RecipientResult> failed;
  std::vector<queue::RecipientFailure> deferrals;
  size_t pending = 0;
  for (auto& r : results) {
    if (r.status == delivery::DeliveryStatus::deferred && expired) {
      r.status = delivery::DeliveryStatus::bounced;
      r.text = "message expired: " + r.text;
    }
    // soft_bounce (Postfix's safety net): a would-be bounce, an agent's or the expiry's,
    // stays in the queue with a 4.x.x code; the agent logged it as status=SOFTBOUNCE.
    if (settings_.soft_bounce && r.status == delivery::DeliveryStatus::bounced) {
      r.status = delivery::DeliveryStatus::deferred;
      r.dsn = delivery::soft_bounce_dsn(r.dsn);
    }
    if (r.status == delivery::DeliveryStatus::bounced) failed.push_back(r);
    if (r.status == delivery::DeliveryStatus::deferred) {
      ++pending;
      std::string address;
      for (const auto& rcpt : envelope.recipients)
        if (rcpt.offset == r.offset) address = rcpt.address;
      deferrals.push_back({r.offset, address, base::now_us(), r.dsn, r.text});
    }
  }
  if (expired && !failed.empty())
    log_.info("{}: from=<{}>, status=expired, returned to sender", id, envelope.sender);
  if (!failed.empty() && !send_bounce(id, *file, failed)) {
    // The report could not be queued: keep the recipients pending rather than lose them.
    for (const auto& r : failed) deferrals.push_back({r.offset, "", base::now_us(), r.dsn, r.text});
    pending += failed.size();
    failed.clear();
  }
  // RFC 3461 NOTIFY=SUCCESS: a "delivered" report once the mailbox has the message. A
  // report that cannot be queued is logged and not retried (the mail itself is delivered).
  std::vector<delivery::RecipientResult> delivered;
  // A success passed on with NOTIFY to a server with DSN is that server's to report.
  for (const auto& r : results)
    if (r.status == delivery::DeliveryStatus::sent &&
        r.success != delivery::RecipientResult::Success::passed)
      delivered.push_back(r);
  if (!delivered.empty()) send_report(id, *file, DsnInput::Kind::success, delivered);

  for (const auto& r : results) {
    bool finished = r.status == delivery::DeliveryStatus::sent ||
                    std::any_of(failed.begin(), failed.end(),
                                [&](const auto& f) { return f.offset == r.offset; });
    // When nothing stays pending the file goes away: no need to mark anyone done first.
    if (finished && pending > 0) {
      if (auto st = queue::mark_recipient_done(path, r.offset); !st) {
        log_.warning("{}: cannot mark recipient done: {}", id, st.error().message);
        ++pending;  // delivered again later at worst: a duplicate, never a loss
      }
    }
  }

  if (pending == 0) {
    // Unsynced: if a crash brings the file back, it is delivered again (design.md §3).
    // The file is kept for smtpd to reuse (queue/recycle_pool.hpp).
    if (auto st = queue_.remove(id, queue::QueueName::active, queue::Sync::lazy, &recycle_pool_);
        !st) {
      log_.warning("{}: remove: {}", id, st.error().message);
      co_return;
    }
    log_.info("{}: removed", id);
    co_return;
  }
  maybe_warn_delay(id, *file, age, results);
  if (auto st = queue::update_defer_log(queue_, id, deferrals); !st)
    log_.warning("{}: defer log: {}", id, st.error().message);
  // Postfix's backoff: the time since arrival, kept between the minimal and maximal.
  auto delay = std::chrono::duration_cast<std::chrono::seconds>(age);
  delay = std::clamp(delay, settings_.minimal_backoff, settings_.maximal_backoff);
  auto next = std::chrono::system_clock::now() + delay;
  if (auto st = queue_.move(id, queue::QueueName::active, queue::QueueName::deferred); !st) {
    log_.warning("{}: move to deferred: {}", id, st.error().message);
    co_return;
  }
  if (auto st = queue_.set_next_attempt(id, queue::QueueName::deferred, next); !st)
    log_.warning("{}: set next attempt: {}", id, st.error().message);
  log_for_fast_flush(id, deferrals);
}

}  // namespace correio::qmgr
