// The end of DATA/BDAT under header_checks and body_checks: what the content
// inspection's verdict (cleanup/content_inspector.hpp) means for the SMTP reply, and what
// it and smtpd's access actions (HOLD, BCC, FILTER) make of the queue file, as Postfix's
// smtpd answers for its cleanup.
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
  return std::nullopt;
}

Status Session::record_decisions() {
  const cleanup::CheckVerdict* verdict = inspector_ ? &inspector_->verdict() : nullptr;
  const cleanup::CheckVerdict* milter = milter_verdict_ ? &*milter_verdict_ : nullptr;
  // HOLD from header/body_checks, milter_header_checks or an access table: into hold/.
  if (effects_.hold || (verdict && verdict->hold) || (milter && milter->hold)) writer_->hold();
  // A REDIRECT (milter_header_checks' last) replaces every recipient; otherwise the BCC
  // copies of the checks and the one of access(5) BCC join them.
  std::vector<std::string> extra;
  std::string redirect = milter && !milter->redirect.empty() ? milter->redirect
                         : verdict                           ? verdict->redirect
                                                             : std::string();
  bool replace = !redirect.empty();
  if (replace) {
    extra.push_back(redirect);
  } else {
    if (verdict) extra = verdict->bcc;
    if (milter) extra.insert(extra.end(), milter->bcc.begin(), milter->bcc.end());
    if (!effects_.bcc.empty()) extra.push_back(effects_.bcc);
  }
  if (!extra.empty())
    if (Status s = writer_->add_recipients(extra, replace); !s) return s;
  // The last FILTER wins (access(5) FILTER note 2, header_checks(5)): content_filter is
  // cleanup's default, smtpd's access tables speak before the content, header and
  // body_checks last.
  std::string filter = settings_.content_filter;
  if (!effects_.filter.empty()) filter = effects_.filter;
  if (verdict && !verdict->filter.empty()) filter = verdict->filter;
  if (milter && !milter->filter.empty()) filter = milter->filter;
  if (filter.empty()) return {};
  return writer_->filter(filter);
}

}  // namespace correio::smtpd
