// Postfix's deliver_pass() for the local agent: a recipient's mailbox delivery handed to
// another transport's agent (mailbox_transport, mailbox_transport_maps: Dovecot's or
// Cyrus' LMTP server behind "lmtp:unix:/path"). The local agent asks that agent as qmgr
// would, over queue_directory/private/TRANSPORT with the delivery protocol, and waits for
// its one result; that agent logs the delivery. Private to src/delivery/local; blocking.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "delivery/protocol.hpp"

namespace correio::delivery::local_agent {

struct PassRequest {
  std::string_view transport_spec;  // "lmtp:unix:private/dovecot-lmtp"
  const DeliveryRequest* request = nullptr;
  const RequestRecipient* recipient = nullptr;
  std::string_view address;  // the recipient after alias expansion (bob@localhost)
  std::string_view queue_directory;
  std::chrono::seconds timeout{3600};
};

struct PassResult {
  RecipientResult result;  // for the recipient's offset
  // Whether another agent logged the delivery; false for the transports qmgr itself
  // carries out (error, retry, discard: answered here as qmgr would) and for failures to
  // reach the agent, which the local agent logs.
  bool logged = false;
};

// The other agent's result for the recipient; a deferral (4.3.0) when the spec is
// malformed, or the agent cannot be reached or answers nonsense.
PassResult pass_to_transport(const PassRequest& pass);

}  // namespace correio::delivery::local_agent
