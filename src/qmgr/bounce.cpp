// Returning failed recipients to the sender: an RFC 3464 report queued as a new message
// from the null sender. Null-sender mail is never bounced to its (empty) sender: its
// failures go to 2bounce_notice_recipient once, and a failed double bounce is dropped.
#include <chrono>

#include "qmgr/dsn_report.hpp"
#include "qmgr/queue_manager.hpp"
#include "queue/queue_file_writer.hpp"

namespace correio::qmgr {

bool QueueManager::send_bounce(const std::string& id, const queue::QueueFile& file,
                               const std::vector<delivery::RecipientResult>& failed) {
  const auto& envelope = file.envelope;
  std::string to = envelope.sender;
  if (to.empty()) {
    bool is_double_bounce =
        envelope.recipients.size() == 1 &&
        envelope.recipients.front().address == settings_.double_bounce_recipient;
    if (is_double_bounce) {
      log_.info("{}: undeliverable postmaster notification discarded", id);
      return true;
    }
    to = settings_.double_bounce_recipient;
  }

  DsnInput in;
  in.myhostname = settings_.myhostname;
  in.queue_id = id;
  in.sender = to;
  in.envid = envelope.dsn_envid;
  in.arrival =
      std::chrono::system_clock::time_point(std::chrono::microseconds(envelope.arrival_us));
  in.headers_only = envelope.dsn_ret == queue::DsnRet::hdrs;
  for (const auto& r : failed) {
    for (const auto& rcpt : envelope.recipients) {
      if (rcpt.offset != r.offset) continue;
      // RFC 3461 §4.1: a NOTIFY without FAILURE asks for no failure report.
      if (rcpt.notify != 0 && !(rcpt.notify & queue::kNotifyFailure)) continue;
      in.recipients.push_back({rcpt.address, rcpt.orcpt, r.dsn, r.text});
    }
  }
  if (in.recipients.empty()) return true;

  auto with_content = queue::read_queue_file(queue_.path(id, queue::QueueName::active), true);
  if (!with_content) {
    log_.warning("{}: cannot read the message for its bounce: {}", id,
                 with_content.error().message);
    return false;
  }
  in.original = with_content->content_bytes;
  std::string report = build_dsn(in);

  queue::Envelope bounce;
  bounce.arrival_us = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  bounce.recipients.push_back({to, to, "", 0});
  bounce.client = {"localhost", "127.0.0.1", "", "local", ""};
  bounce.line_ending = queue::LineEnding::lf;
  auto writer = queue::QueueFileWriter::create(settings_.queue_directory, bounce);
  if (!writer) {
    log_.warning("{}: cannot create the bounce: {}", id, writer.error().message);
    return false;
  }
  std::string new_id = writer->id();
  if (auto st = writer->append_content(report); !st) {
    log_.warning("{}: cannot write the bounce: {}", id, st.error().message);
    return false;
  }
  if (auto st = writer->commit(); !st) {
    log_.warning("{}: cannot commit the bounce: {}", id, st.error().message);
    return false;
  }
  log_.info("{}: sender non-delivery notification: {}", id, new_id);
  return true;
}

}  // namespace correio::qmgr
