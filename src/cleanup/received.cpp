// Builds the Received: header in Postfix's layout.
#include "cleanup/received.hpp"

#include "mail/date.hpp"

namespace correio::cleanup {

std::string received_header(const ReceivedInfo& info) {
  std::string address = info.client_address;
  // RFC 5321 §4.1.3: IPv6 address literals carry the "IPv6:" tag.
  if (address.find(':') != std::string::npos) address = "IPv6:" + address;
  // A client without an address (LMTP over a UNIX-domain socket) is named only.
  std::string peer = address.empty() ? info.client_name : info.client_name + " [" + address + "]";
  std::string out =
      "Received: from " + (info.helo.empty() ? info.client_name : info.helo) + " (" + peer + ")\n";
  if (!info.tls_note.empty()) out += "\t" + info.tls_note + "\n";
  if (!info.auth_note.empty()) out += "\t" + info.auth_note + "\n";
  out += "\tby " + info.myhostname + " (" + info.mail_name + ") with " + info.protocol + " id " +
         info.queue_id;
  if (!info.recipient.empty()) {
    out += "\n\tfor <" + info.recipient + ">; " + mail::rfc5322_date(info.when) + "\n";
  } else {
    out += "; " + mail::rfc5322_date(info.when) + "\n";
  }
  return out;
}

std::string pickup_received_header(const PickupReceivedInfo& info) {
  return "Received: by " + info.myhostname + " (" + info.mail_name + ", from userid " +
         std::to_string(info.uid) + ")\n\tid " + info.queue_id + "; " +
         mail::rfc5322_date(info.when) + "\n";
}

}  // namespace correio::cleanup
