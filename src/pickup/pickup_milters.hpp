// non_smtpd_milters for locally submitted mail (Postfix's cleanup_milter.c emulation):
// each message pickup takes in is shown to the milters as if it came over SMTP from
// "localhost" [127.0.0.1] (HELO localhost), with MAIL FROM, one RCPT TO per recipient,
// DATA and the message; their edits (headers, body, sender, recipients, quarantine) are
// applied before the message is queued. What OpenDKIM needs to sign mail that web
// applications hand to sendmail. Used by pickup's one thread, one message at a time: the
// milter dialogue runs to completion on its own event loop (pickup takes one file at a
// time anyway, as Postfix's pickup waits on cleanup).
#pragma once

#include <memory>
#include <string>

#include "base/log.hpp"
#include "cleanup/check_tables.hpp"
#include "cleanup/content_inspector.hpp"
#include "milter/settings.hpp"
#include "queue/envelope.hpp"

namespace correio::pickup {

struct MilterOutcome {
  // proceed: queue the message (edited); reject: return it to the sender with `reply`
  // ("550 5.7.1 text"); tempfail: leave the maildrop file for a later scan; discard:
  // drop it, as delivered.
  enum class Kind { proceed, reject, tempfail, discard };
  Kind kind = Kind::proceed;
  std::string reply;
  bool envelope_changed = false;    // sender or recipients: the queue file's envelope again
  std::optional<std::string> hold;  // SMFIR_QUARANTINE: why the message is held
  // milter_header_checks on what the milters added or changed: HOLD, FILTER, REDIRECT,
  // BCC (its REJECT and DISCARD are `kind`).
  cleanup::CheckVerdict checks;
};

class PickupMilters {
 public:
  // `header_checks`: milter_header_checks (null: none).
  PickupMilters(milter::Settings settings, base::Logger& log,
                std::shared_ptr<const cleanup::CheckTables> header_checks = nullptr)
      : settings_(std::move(settings)), log_(log), header_checks_(std::move(header_checks)) {}

  // Shows the message (`content`, LF line ends, as it will be queued) and `envelope` to the
  // milters and applies their edits to both. `queue_id` is the i macro.
  MilterOutcome filter(queue::Envelope& envelope, std::string& content,
                       const std::string& queue_id);

 private:
  milter::Settings settings_;
  base::Logger& log_;
  std::shared_ptr<const cleanup::CheckTables> header_checks_;
};

}  // namespace correio::pickup
