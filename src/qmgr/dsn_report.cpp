// Builds RFC 3464 delivery status notifications in the layout Postfix's bounce(8) uses.
#include "qmgr/dsn_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ctime>

#include "mail/date.hpp"

namespace correio::qmgr {
namespace {

bool has_8bit(std::string_view s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

std::string_view header_section(std::string_view message) {
  size_t end = message.find("\n\n");
  return end == std::string_view::npos ? message : message.substr(0, end + 1);
}

}  // namespace

std::string build_dsn(const DsnInput& in) {
  using Kind = DsnInput::Kind;
  bool failure = in.kind == Kind::failure;
  std::time_t t = std::chrono::system_clock::to_time_t(in.now);
  std::string boundary =
      fmt::format("{}.{}/{}", in.queue_id, static_cast<long long>(t), in.myhostname);
  std::string out;
  out += fmt::format("From: MAILER-DAEMON@{} (Mail Delivery System)\n", in.myhostname);
  out += fmt::format("To: {}\n", in.sender);
  if (in.postmaster_copy)
    out += failure ? "Subject: Postmaster Copy: Undelivered Mail\n"
                   : "Subject: Postmaster Warning: Delayed Mail\n";
  else
    out += failure                  ? "Subject: Undelivered Mail Returned to Sender\n"
           : in.kind == Kind::delay ? "Subject: Delayed Mail (still being retried)\n"
                                    : "Subject: Successful Mail Delivery Report\n";
  out += "Auto-Submitted: auto-replied\n";
  out += "MIME-Version: 1.0\n";
  out += fmt::format(
      "Content-Type: multipart/report; report-type=delivery-status;\n\tboundary=\"{}\"\n",
      boundary);
  out += "Content-Transfer-Encoding: 8bit\n";
  out += "Date: " + mail::rfc5322_date(in.now) + "\n";
  out += "\nThis is a MIME-encapsulated message.\n\n";

  // Part 1: the human-readable explanation.
  out += fmt::format(
      "--{}\nContent-Description: Notification\n"
      "Content-Type: text/plain; charset=utf-8\n\n",
      boundary);
  out += fmt::format("This is the mail system at host {}.\n\n", in.myhostname);
  if (failure) {
    out +=
        "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.\n\n"
        "For further assistance, please send mail to postmaster.\n\n";
  } else if (in.kind == Kind::success) {
    out +=
        "Your message was delivered to the recipients listed below, as you asked\n"
        "(NOTIFY=SUCCESS). No further report about them will come from this system.\n\n";
    if (std::any_of(in.recipients.begin(), in.recipients.end(),
                    [](const DsnRecipient& r) { return r.relayed; }))
      out +=
          "Where it says \"relayed\", the message went to a server that does not\n"
          "report delivery: no report will come from the final destination.\n\n";
  } else {
    out +=
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "Your message could not be delivered yet; it will be retried.\n\n";
  }
  for (const auto& r : in.recipients) out += fmt::format("<{}>: {}\n", r.address, r.reason);
  out += "\n";

  // Part 2: the machine-readable report, RFC 3464 §2.2 and §2.3.
  out += fmt::format(
      "--{}\nContent-Description: Delivery report\n"
      "Content-Type: message/delivery-status\n\n",
      boundary);
  out += fmt::format("Reporting-MTA: dns; {}\n", in.myhostname);
  out += fmt::format("X-Correio-Queue-ID: {}\n", in.queue_id);
  out += fmt::format("X-Correio-Sender: rfc822; {}\n", in.sender);
  if (!in.envid.empty()) out += fmt::format("Original-Envelope-Id: {}\n", in.envid);
  out += "Arrival-Date: " + mail::rfc5322_date(in.arrival) + "\n";
  for (const auto& r : in.recipients) {
    out += fmt::format("\nFinal-Recipient: rfc822; {}\n", r.address);
    if (!r.orcpt.empty()) {
      size_t semi = r.orcpt.find(';');
      out += fmt::format("Original-Recipient: {}; {}\n", r.orcpt.substr(0, semi),
                         semi == std::string::npos ? "" : r.orcpt.substr(semi + 1));
    }
    // RFC 3464 §2.3.3 action-value.
    out += fmt::format("Action: {}\n", failure                  ? "failed"
                                       : in.kind == Kind::delay ? "delayed"
                                       : r.relayed              ? "relayed"
                                                                : "delivered");
    out += fmt::format("Status: {}\n", r.status);
    // RFC 3464 §2.3.5 and §2.3.6: the remote server and its own words, when there was one.
    if (!r.remote_mta.empty()) out += fmt::format("Remote-MTA: dns; {}\n", r.remote_mta);
    if (!r.diagnostic.empty())
      out += fmt::format("Diagnostic-Code: {}\n", r.diagnostic);
    else
      out += fmt::format("Diagnostic-Code: X-Correio; {}\n", r.reason);
    if (in.kind == Kind::delay)
      out += "Will-Retry-Until: " + mail::rfc5322_date(in.retry_until) + "\n";
  }
  out += "\n";

  // Part 3: the original, whole (RET=FULL or unspecified) or its headers (RET=HDRS).
  std::string_view original = in.headers_only ? header_section(in.original) : in.original;
  out +=
      fmt::format("--{}\nContent-Description: {}\nContent-Type: {}\n", boundary,
                  in.kind == Kind::success
                      ? (in.headers_only ? "Delivered Message Headers" : "Delivered Message")
                      : (in.headers_only ? "Undelivered Message Headers" : "Undelivered Message"),
                  in.headers_only ? "text/rfc822-headers" : "message/rfc822");
  if (has_8bit(original)) out += "Content-Transfer-Encoding: 8bit\n";
  out += "\n";
  out += original;
  if (!original.empty() && original.back() != '\n') out += '\n';
  out += fmt::format("\n--{}--\n", boundary);
  return out;
}

}  // namespace correio::qmgr
