// Delivery status notifications (RFC 3464, RFC 3462 multipart/report): the bounce sent to
// the envelope sender for failed recipients, the delay warning, and the success report.
// Pure text building.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace correio::qmgr {

struct DsnRecipient {
  std::string address;
  std::string orcpt;            // "rfc822;addr" or ""
  std::string status;           // "5.1.1"
  std::string reason;           // "unknown user: \"x@y\""
  std::string remote_mta = {};  // "mx.example.com" when a remote server answered
  std::string diagnostic = {};  // "smtp; 550 5.1.1 ..." (RFC 3464 §2.3.6), or ""
  bool relayed = false;         // success: "relayed" to a server without DSN, not "delivered"
};

struct DsnInput {
  // failure: the bounce; delay: the delay_warning_time warning; success: the report
  // for NOTIFY=SUCCESS recipients after delivery (RFC 3461 §4.1).
  enum class Kind { failure, delay, success };
  Kind kind = Kind::failure;
  std::string myhostname;
  std::string queue_id;
  std::string sender;  // who receives this report
  std::string envid;   // RFC 3461 ENVID, if given
  std::chrono::system_clock::time_point arrival;
  std::vector<DsnRecipient> recipients;
  bool headers_only = false;  // attach the original's headers only (RET=HDRS, delay, success)
  // notify_classes' copy to the postmaster (Postfix's postmaster_subject of bounce(5)).
  bool postmaster_copy = false;
  // delay: when the message will be given up (Will-Retry-Until:, RFC 3464 §2.3.9).
  std::chrono::system_clock::time_point retry_until;
  std::string_view original;  // the original message (LF line endings)
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The whole report message with LF line endings, headers included.
std::string build_dsn(const DsnInput& in);

}  // namespace correio::qmgr
