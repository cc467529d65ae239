// The request qmgr sends a delivery agent (virtual, local, error, discard, later smtp and
// lmtp) over the agent's UNIX socket, and the per-recipient results the agent sends back.
// Wire form: one "name=value" attribute a line, values xtext-encoded (RFC 3461 §4), an
// empty line ends a message. One request at a time on a connection: qmgr sends the next
// only after reading the results of the last, and keeps the connection between them. No I/O here;
// pure encoding.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace correio::delivery {

struct RequestRecipient {
  uint64_t offset = 0;   // the recipient record's offset in the queue file (identity)
  std::string address;   // final recipient
  std::string original;  // as the client gave it (orig_to= in the log)
  std::string orcpt;     // RFC 3461 ORCPT, "rfc822;addr" or ""
  uint8_t notify = 0;    // queue::NotifyFlag bits
};

struct DeliveryRequest {
  std::string queue_id;
  std::string queue_file;  // absolute path of the file in active/
  std::string transport;   // "virtual", "local", "error", "discard", ...
  std::string nexthop;     // the part after "transport:" in Postfix's transport syntax
  std::string sender;      // "" for the null sender
  int64_t arrival_us = 0;  // when the message entered the queue
  int64_t active_us = 0;   // when qmgr moved it to active/ (for delays=a/b/c/d)
  std::vector<RequestRecipient> recipients;
};

enum class DeliveryStatus { sent, deferred, bounced };

struct RecipientResult {
  uint64_t offset = 0;
  DeliveryStatus status = DeliveryStatus::deferred;
  std::string dsn;   // "2.0.0", "4.2.2", "5.1.1", ...
  std::string text;  // "delivered to maildir", "mailbox full", ...
  // From agents that talk to another server (smtp): who answered and what it said, for
  // the bounce's RFC 3464 Remote-MTA ("mx.example.com") and Diagnostic-Code ("smtp; 550
  // 5.1.1 ..."). Empty otherwise.
  std::string remote_mta = {};
  std::string diagnostic = {};
  // For `sent`: how the success ends for RFC 3461 NOTIFY=SUCCESS. delivered: final
  // delivery here (qmgr reports "delivered"); relayed: handed to a server without DSN
  // (qmgr reports "relayed", RFC 3464 §2.3.3); passed: handed with NOTIFY to a server
  // with DSN, whose report it now is (qmgr reports nothing, or the sender hears twice).
  enum class Success : uint8_t { delivered, relayed, passed };
  Success success = Success::delivered;
  // For `deferred`: the site itself failed (no connection, or the greeting or handshake
  // failed at every server), not a recipient's reply. qmgr's concurrency feedback counts
  // only these as negative (Postfix's qmgr(8)); a 4xx to a recipient is positive.
  bool site_failure = false;
};

std::string encode_request(const DeliveryRequest& request);
// `text` is one message without its final empty line. Errors name the bad attribute.
Result<DeliveryRequest> decode_request(std::string_view text);

std::string encode_results(const std::vector<RecipientResult>& results);
Result<std::vector<RecipientResult>> decode_results(std::string_view text);

std::string_view status_name(DeliveryStatus status);  // "sent", "deferred", "bounced"

// Upper bound on one encoded message; agents and qmgr refuse longer ones.
inline constexpr size_t kMaxMessageSize = 4 * 1024 * 1024;

}  // namespace correio::delivery
