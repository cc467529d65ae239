// The Received: header smtpd prepends, in Postfix's layout (RFC 5321 §4.4):
//   Received: from HELO (NAME [ADDR])
//   	by MYHOSTNAME (Correio) with ESMTP id QUEUEID
//   	for <RCPT>; DATE
#pragma once

#include <chrono>
#include <string>

namespace correio::cleanup {

struct ReceivedInfo {
  std::string helo;
  std::string client_name;  // "unknown" without a verified PTR
  std::string client_address;
  std::string myhostname;
  std::string mail_name = "Correio";
  std::string protocol;  // SMTP, ESMTP, ESMTPS, ESMTPSA, UTF8SMTP...
  std::string queue_id;
  std::string recipient;  // only when there is exactly one
  std::string tls_note;   // "(using TLSv1.3 with cipher ...)" or empty
  std::string auth_note;  // "(Authenticated sender: alice)" or empty
  std::chrono::system_clock::time_point when = std::chrono::system_clock::now();
};

// The header with LF line endings, ending in LF.
std::string received_header(const ReceivedInfo& info);

// The Received: header pickup prepends to locally submitted mail, in Postfix's form:
//   Received: by MYHOSTNAME (Correio, from userid UID)
//   	id QUEUEID; DATE
struct PickupReceivedInfo {
  std::string myhostname;
  std::string mail_name = "Correio";
  unsigned long uid = 0;
  std::string queue_id;
  std::chrono::system_clock::time_point when = std::chrono::system_clock::now();
};
std::string pickup_received_header(const PickupReceivedInfo& info);

}  // namespace correio::cleanup
