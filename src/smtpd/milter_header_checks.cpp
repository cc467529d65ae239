// milter_header_checks (Postfix 2.7+) in smtpd: the header fields smtpd_milters added or
// changed go through their own table after the milters are done and before the message
// is queued (cleanup/produced_header_checks.hpp).
#include "cleanup/produced_header_checks.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {

std::optional<smtp::Reply> Session::check_milter_headers(const std::vector<std::string>& before,
                                                         milter::Message& message) {
  cleanup::CheckVerdict verdict = cleanup::check_produced_headers(
      *services_.milter_checks,
      cleanup::CheckContext{queue_id_, client_label(), envelope_->sender,
                            envelope_->recipients.front().address, esmtp_ ? "ESMTP" : "SMTP",
                            helo_name_},
      log_, before, message.headers);
  if (verdict.reject) {
    const std::string& reason = *verdict.reject;
    size_t space = reason.find(' ');
    return smtp::Reply(reason.starts_with('4') ? 451 : 550, reason.substr(0, space),
                       space == std::string::npos ? std::string() : reason.substr(space + 1));
  }
  if (verdict.discard) return smtp::Reply(250, "2.0.0", "Ok: queued as " + queue_id_);
  milter_verdict_ = std::move(verdict);
  return std::nullopt;
}

}  // namespace correio::smtpd
