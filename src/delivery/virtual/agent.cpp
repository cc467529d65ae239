// The virtual agent's deliveries: read the queue file once, then deliver_and_log() for the
// request's recipients (see agent.hpp).
#include "delivery/virtual/agent.hpp"

#include "base/clock.hpp"
#include "queue/queue_file_reader.hpp"

namespace correio::delivery::virtual_agent {

std::vector<RecipientResult> deliver(const DeliveryRequest& request,
                                     const MailboxSettings& settings,
                                     const MailboxFinder& mailboxes, base::Logger& log) {
  const int64_t start_us = base::now_us();
  auto file = queue::read_queue_file(request.queue_file, /*with_content=*/true);

  std::vector<MailboxRecipient> recipients;
  recipients.reserve(request.recipients.size());
  for (const auto& rcpt : request.recipients)
    recipients.push_back({rcpt.address, rcpt.original, ""});
  MailboxJob job;
  job.queue_id = request.queue_id;
  job.sender = request.sender;
  job.relay = "virtual";
  job.soft_bounce = settings.soft_bounce;
  job.times = {request.arrival_us, request.active_us, start_us, start_us, 0};
  std::vector<MailboxOutcome> outcomes;
  if (file) {
    job.content = file->content_bytes;
    outcomes = deliver_and_log(job, recipients, settings, mailboxes, log);
  } else {
    outcomes = log_undeliverable(
        job, recipients,
        {DeliveryStatus::deferred, "4.3.0", "cannot read queue file: " + file.error().message, ""},
        log);
  }

  std::vector<RecipientResult> results;
  results.reserve(outcomes.size());
  for (size_t i = 0; i < outcomes.size(); ++i)
    results.push_back({request.recipients[i].offset, outcomes[i].status, outcomes[i].dsn,
                       std::move(outcomes[i].text)});
  return results;
}

}  // namespace correio::delivery::virtual_agent
