// The virtual agent's deliveries: user lookup, prefix headers, Maildir, one log line per
// recipient (see agent.hpp).
#include "delivery/virtual/agent.hpp"

#include <chrono>

#include "delivery/log_line.hpp"
#include "queue/queue_file_reader.hpp"

namespace correio::delivery::virtual_agent {
namespace {

int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

MailboxOutcome deliver_one(const RequestRecipient& rcpt, const DeliveryRequest& request,
                           const queue::QueueFile& file, const AgentSettings& settings,
                           auth::UserDirectory& users, MailboxOwners* owners) {
  MessageCopy copy;
  copy.sender = request.sender;
  copy.recipient = rcpt.address;
  copy.original = rcpt.original;
  copy.content = file.content_bytes;
  copy.crlf = file.envelope.line_ending == queue::LineEnding::crlf;
  return deliver_to_mailbox(copy, settings, users, owners);
}

}  // namespace

std::vector<RecipientResult> deliver(const DeliveryRequest& request, const AgentSettings& settings,
                                     auth::UserDirectory& users, base::Logger& log,
                                     MailboxOwners* owners) {
  const int64_t start_us = now_us();
  auto file = queue::read_queue_file(request.queue_file, /*with_content=*/true);

  std::vector<RecipientResult> results;
  results.reserve(request.recipients.size());
  for (const auto& rcpt : request.recipients) {
    MailboxOutcome outcome =
        file ? deliver_one(rcpt, request, *file, settings, users, owners)
             : MailboxOutcome{DeliveryStatus::deferred, "4.3.0",
                              "cannot read queue file: " + file.error().message, ""};
    RecipientLogLine line;
    line.queue_id = request.queue_id;
    line.to = rcpt.address;
    line.orig_to = rcpt.original;
    line.relay = "virtual";
    line.times = {request.arrival_us, request.active_us, start_us, start_us, now_us()};
    line.dsn = outcome.dsn;
    line.status = outcome.status;
    line.text = outcome.text;
    line.soft_bounce = settings.soft_bounce;
    log.info("{}", format_recipient_log(line));
    results.push_back({rcpt.offset, outcome.status, outcome.dsn, std::move(outcome.text)});
  }
  for (const auto& warning : users.take_warnings()) log.warning("{}", warning);
  return results;
}

}  // namespace correio::delivery::virtual_agent
