// Postfix's built-in content inspection for one message (header_checks(5)): each logical
// header and body line, as mail::MimeStream classifies them, is looked up in its table
// and the action performed: the stream is passed on with lines dropped, replaced or
// prepended, actions are logged as cleanup(8) logs them, and what concerns the whole
// message (reject, discard, hold, redirect, bcc) is collected in the verdict for the
// caller to carry out. Streams: holds one header or line, never the message.
// With CheckTables::use == CheckUse::delivery (the smtp/lmtp agents' smtp_*_checks) only
// the line actions run; they are logged as Postfix's smtp(8) logs them, by the agent.
// One instance per message; borrows the tables and the logger, which must outlive it.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/log.hpp"
#include "cleanup/check_action.hpp"
#include "cleanup/check_tables.hpp"
#include "mail/mime_stream.hpp"

namespace correio::cleanup {

// Who the message is from, for the log lines ("from host[addr]; from=<s> to=<r>
// proto=ESMTP helo=<h>").
struct CheckContext {
  std::string queue_id;
  std::string origin;     // "host[addr]" (smtpd) or "local" (pickup)
  std::string sender;     // the envelope sender, "" for <>
  std::string recipient;  // the first envelope recipient (Postfix logs one)
  std::string protocol;   // empty: not logged
  std::string helo;       // empty: not logged
};

// What the actions decided about the whole message.
struct CheckVerdict {
  // REJECT (5.x.x), REJECT with a 4.x.x code, or a table that failed: the reply's status
  // code and text, "5.7.1 message content rejected". The message must not be queued.
  std::optional<std::string> reject;
  bool discard = false;          // DISCARD: claim delivery, keep nothing
  bool hold = false;             // HOLD: into the hold queue
  std::string redirect;          // REDIRECT: the only recipient
  std::vector<std::string> bcc;  // BCC: more recipients
  std::string filter;            // FILTER transport:destination (the last one); "": none
};

class ContentInspector final : private mail::MimeStreamHandler {
 public:
  ContentInspector(const CheckTables& tables, CheckContext context, base::Logger& log)
      : tables_(tables), context_(std::move(context)), log_(log), stream_(tables.mime) {}

  // Content (LF line ends) in pieces of any size; what is to be kept is appended to `out`.
  void feed(std::string_view content, std::string& out);
  // End of the message: the last unfinished line or header.
  void finish(std::string& out);
  // A header the receiving program adds in front of the content (smtpd's Received:,
  // ending in LF), checked as a primary header as Postfix's cleanup sees it.
  void own_header(std::string_view header, std::string& out);

  // REJECT, DISCARD or a failed lookup: the rest of the message need not be fed.
  bool stopped() const { return verdict_.reject.has_value() || verdict_.discard; }
  const CheckVerdict& verdict() const { return verdict_; }

 private:
  void header(mail::HeaderClass header_class, std::string_view text) override;
  void body(std::string_view text, bool line_end, uint64_t offset) override;
  // Looks `line` up and acts; false when the line is to be dropped. A REPLACE puts its
  // text into `replaced`.
  bool check(const CheckTable& table, bool is_header, std::string_view line,
             std::optional<std::string>& replaced);
  void act_on_message(const CheckAction& action, std::string_view context, std::string_view line);
  void log_action(std::string_view action, std::string_view context, std::string_view line,
                  std::string_view text);

  const CheckTables& tables_;
  CheckContext context_;
  base::Logger& log_;
  mail::MimeStream stream_;
  std::string* out_ = nullptr;  // where feed()/finish() are writing, while they run
  bool checking_ = true;        // REJECT, DISCARD and REDIRECT end the inspection
  CheckVerdict verdict_;
};

}  // namespace correio::cleanup
