// Forwarding for the local agent (Postfix's local/forward.c): the addresses an alias,
// :include: file or .forward names outside the local domains go back into the queue as a
// new message, so that cleanup's rewriting (canonical, virtual_alias_maps, masquerading,
// the bcc maps) applies to them as to any other mail. Correio's way in is the maildrop
// directory and pickup. Private to src/delivery/local; not thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "delivery/local/agent.hpp"
#include "delivery/local/delivery.hpp"
#include "queue/envelope.hpp"

namespace correio::delivery::local_agent {

struct ForwardRequest {
  const queue::Envelope* envelope = nullptr;  // the message being delivered
  std::string_view content;                   // its bytes
  std::string recipient;                      // whose alias/.forward named the targets
  std::string orcpt;                          // that recipient's ORCPT and NOTIFY
  uint8_t notify = 0;
  std::vector<std::string> targets;  // the addresses to forward to
};

// Writes one maildrop file: the original sender, `targets` as recipients, and the content
// with "Delivered-To: RECIPIENT" prepended (Postfix's prepend_delivered_header "forward":
// the loop check of the next delivery to RECIPIENT finds it). Sent: "forwarded as NAME";
// deferred (4.3.0) when the file cannot be written.
Outcome forward(const ForwardRequest& request, const AgentSettings& settings);

}  // namespace correio::delivery::local_agent
