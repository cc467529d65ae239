// Delivery status notifications (RFC 3464, RFC 3462 multipart/report): the bounce sent to
// the envelope sender for failed recipients, and the delay warning. Pure text building.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace correio::qmgr {

struct DsnRecipient {
  std::string address;
  std::string orcpt;   // "rfc822;addr" or ""
  std::string status;  // "5.1.1"
  std::string reason;  // "unknown user: \"x@y\""
};

struct DsnInput {
  enum class Kind { failure, delay };
  Kind kind = Kind::failure;
  std::string myhostname;
  std::string queue_id;
  std::string sender;  // who receives this report
  std::string envid;   // RFC 3461 ENVID, if given
  std::chrono::system_clock::time_point arrival;
  std::vector<DsnRecipient> recipients;
  bool headers_only = false;  // RET=HDRS
  std::string_view original;  // the original message (LF line endings)
  std::chrono::system_clock::time_point now = std::chrono::system_clock::now();
};

// The whole report message with LF line endings, headers included.
std::string build_dsn(const DsnInput& in);

}  // namespace correio::qmgr
