// Reports to the sender, queued as new messages from the null sender (RFC 3464):
// the bounce for failed recipients, the one delay warning (delay_warning_time), and the
// success report for NOTIFY=SUCCESS recipients. Null-sender mail never gets a report: its
// failures go to 2bounce_notice_recipient once (notify_classes 2bounce or bounce), and a
// failed double bounce is dropped. notify_classes bounce and delay add postmaster copies.
#include <chrono>

#include "base/clock.hpp"
#include "qmgr/dsn_report.hpp"
#include "qmgr/queue_manager.hpp"
#include "queue/queue_file_writer.hpp"

namespace correio::qmgr {
namespace {

using Kind = DsnInput::Kind;

// RFC 3461 §4.1: without NOTIFY the MTA chooses (Postfix: failures and delays); with it,
// only the conditions listed.
bool wants(uint8_t notify, Kind kind) {
  switch (kind) {
    case Kind::failure:
      return notify == 0 || (notify & queue::kNotifyFailure);
    case Kind::delay:
      return notify == 0 || (notify & queue::kNotifyDelay);
    case Kind::success:
      return (notify & queue::kNotifySuccess) != 0;
  }
  return false;
}

const char* log_wording(Kind kind) {
  switch (kind) {
    case Kind::failure:
      return "sender non-delivery notification";
    case Kind::delay:
      return "sender delay notification";
    case Kind::success:
      return "sender delivery status notification";
  }
  return "";
}

}  // namespace

bool QueueManager::send_bounce(const std::string& id, const queue::QueueFile& file,
                               const std::vector<delivery::RecipientResult>& failed) {
  return send_report(id, file, Kind::failure, failed);
}

bool QueueManager::send_report(const std::string& id, const queue::QueueFile& file, Kind kind,
                               const std::vector<delivery::RecipientResult>& about) {
  const auto& envelope = file.envelope;
  std::string to = envelope.sender;
  if (to.empty()) {
    if (kind != Kind::failure) return true;  // no delay or success reports to <>
    bool is_double_bounce =
        envelope.recipients.size() == 1 &&
        envelope.recipients.front().address == settings_.double_bounce_recipient;
    if (is_double_bounce) {
      log_.info("{}: undeliverable postmaster notification discarded", id);
      return true;
    }
    // Postfix's bounce(8): an undeliverable bounce goes to the postmaster only when
    // notify_classes has 2bounce (or bounce); otherwise it is dropped.
    if (!settings_.notify_2bounce) {
      log_.info("{}: undeliverable bounce discarded (notify_classes has no 2bounce)", id);
      return true;
    }
    to = settings_.double_bounce_recipient;
  }

  DsnInput in = report_input(id, envelope, kind);
  // The whole original comes back only with a failure (unless RET=HDRS) or when a
  // success report was asked for with RET=FULL; a warning carries the headers.
  in.headers_only = kind == Kind::failure   ? envelope.dsn_ret == queue::DsnRet::hdrs
                    : kind == Kind::success ? envelope.dsn_ret != queue::DsnRet::full
                                            : true;
  for (const auto& r : about) {
    for (const auto& rcpt : envelope.recipients) {
      if (rcpt.offset != r.offset || !wants(rcpt.notify, kind)) continue;
      in.recipients.push_back({rcpt.address, rcpt.orcpt, r.dsn, r.text, r.remote_mta, r.diagnostic,
                               r.success == delivery::RecipientResult::Success::relayed});
    }
  }
  if (!in.recipients.empty() && !queue_report(id, in, to, log_wording(kind))) return false;

  // notify_classes bounce/delay: the postmaster's copy, headers only, about every such
  // recipient whatever its NOTIFY (which concerns the sender). Not retried on failure.
  bool copy = !envelope.sender.empty() && ((kind == Kind::failure && settings_.notify_bounce) ||
                                           (kind == Kind::delay && settings_.notify_delay));
  if (!copy) return true;
  DsnInput notice = report_input(id, envelope, kind);
  notice.postmaster_copy = true;
  notice.headers_only = true;
  for (const auto& r : about)
    for (const auto& rcpt : envelope.recipients)
      if (rcpt.offset == r.offset)
        notice.recipients.push_back({rcpt.address, rcpt.orcpt, r.dsn, r.text});
  if (notice.recipients.empty()) return true;
  bool failure = kind == Kind::failure;
  queue_report(id, notice,
               failure ? settings_.bounce_notice_recipient : settings_.delay_notice_recipient,
               failure ? "postmaster non-delivery notification" : "postmaster delay notification");
  return true;
}

DsnInput QueueManager::report_input(const std::string& id, const queue::Envelope& envelope,
                                    Kind kind) const {
  DsnInput in;
  in.kind = kind;
  in.myhostname = settings_.myhostname;
  in.queue_id = id;
  in.envid = envelope.dsn_envid;
  in.arrival =
      std::chrono::system_clock::time_point(std::chrono::microseconds(envelope.arrival_us));
  in.retry_until = in.arrival + settings_.maximal_queue_lifetime;
  return in;
}

bool QueueManager::queue_report(const std::string& id, DsnInput& in, const std::string& to,
                                std::string_view wording) {
  in.sender = to;
  auto with_content = queue::read_queue_file(queue_.path(id, queue::QueueName::active), true);
  if (!with_content) {
    log_.warning("{}: cannot read the message for its report: {}", id,
                 with_content.error().message);
    return false;
  }
  in.original = with_content->content_bytes;
  std::string report = build_dsn(in);

  queue::Envelope notice;
  notice.arrival_us = base::now_us();
  notice.recipients.push_back({to, to, "", 0});
  notice.client = {"localhost", "127.0.0.1", "", "local", ""};
  auto writer = queue::QueueFileWriter::create(settings_.queue_directory, notice);
  if (!writer) {
    log_.warning("{}: cannot create the report: {}", id, writer.error().message);
    return false;
  }
  std::string new_id = writer->id();
  if (auto st = writer->append_content(report); !st) {
    log_.warning("{}: cannot write the report: {}", id, st.error().message);
    return false;
  }
  if (auto st = writer->commit(); !st) {
    log_.warning("{}: cannot commit the report: {}", id, st.error().message);
    return false;
  }
  log_.info("{}: {}: {}", id, wording, new_id);
  return true;
}

}  // namespace correio::qmgr
