// Forwarding through maildrop and pickup (see forward.hpp).
#include "delivery/local/forward.hpp"

#include <fmt/format.h>

#include "queue/maildrop_file.hpp"

namespace correio::delivery::local_agent {

Outcome forward(const ForwardRequest& request, const AgentSettings& settings) {
  if (settings.maildrop_directory.empty())
    return {DeliveryStatus::deferred, "4.3.5", "cannot forward: no maildrop directory configured"};
  queue::Envelope env;
  env.sender = request.envelope->sender;
  env.dsn_ret = request.envelope->dsn_ret;
  env.dsn_envid = request.envelope->dsn_envid;
  env.internal_source = "forward";  // pickup: mappings only (envelope.hpp)
  // The recipient's DSN wishes (RFC 3461 NOTIFY and ORCPT) carry over to the addresses
  // it is forwarded to, as Postfix's local(8) passes them to cleanup.
  for (const auto& target : request.targets)
    env.recipients.push_back({target, target, request.orcpt, request.notify});
  auto writer = queue::MaildropWriter::create(settings.maildrop_directory, env);
  if (!writer)
    return {DeliveryStatus::deferred, "4.3.0", "cannot forward: " + writer.error().message};
  std::string delivered_to = "Delivered-To: " + request.recipient + "\n";
  if (Status s = writer->append_content(delivered_to); !s)
    return {DeliveryStatus::deferred, "4.3.0", "cannot forward: " + s.error().message};
  if (Status s = writer->append_content(request.content); !s)
    return {DeliveryStatus::deferred, "4.3.0", "cannot forward: " + s.error().message};
  auto name = writer->commit();
  if (!name) return {DeliveryStatus::deferred, "4.3.0", "cannot forward: " + name.error().message};
  return {DeliveryStatus::sent, "2.0.0", fmt::format("forwarded as maildrop file {}", *name)};
}

}  // namespace correio::delivery::local_agent
