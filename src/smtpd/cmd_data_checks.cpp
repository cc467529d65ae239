// The end of DATA/BDAT under header_checks and body_checks: what the content
// inspection's verdict (cleanup/content_inspector.hpp) means for the SMTP reply and the
// queue file, as Postfix's smtpd answers for its cleanup.
#include "smtpd/session.hpp"

namespace correio::smtpd {

std::optional<smtp::Reply> Session::carry_out_verdict() {
  if (!inspector_) return std::nullopt;
  const cleanup::CheckVerdict& verdict = inspector_->verdict();
  if (verdict.reject) {
    // "5.7.1 text": Postfix answers 550 with the table's status code and text, and 451
    // for a 4.x.x code (CLEANUP_STAT_DEFER) or a table that failed.
    const std::string& reason = *verdict.reject;
    size_t space = reason.find(' ');
    std::string code = reason.substr(0, space);
    std::string text = space == std::string::npos ? std::string() : reason.substr(space + 1);
    return smtp::Reply(reason.starts_with('4') ? 451 : 550, code, text);
  }
  if (verdict.discard) {
    // header_checks(5) DISCARD: claim successful delivery; the queue file goes.
    return smtp::Reply(250, "2.0.0", "Ok: queued as " + queue_id_);
  }
  if (verdict.hold) writer_->hold();
  Status recorded;
  if (!verdict.redirect.empty())
    recorded = writer_->add_recipients({verdict.redirect}, true);
  else if (!verdict.bcc.empty())
    recorded = writer_->add_recipients(verdict.bcc, false);
  if (!recorded) {
    log_.warning("{}: queue file write error: {}", queue_id_, recorded.error().message);
    return smtp::Reply(452, "4.3.1", "Insufficient system storage");
  }
  return std::nullopt;
}

}  // namespace correio::smtpd
