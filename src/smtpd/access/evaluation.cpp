// Postfix's smtpd_check_reject() and log_whatsup() (evaluation.hpp).
#include "smtpd/access/evaluation.hpp"

#include <fmt/format.h>

#include "smtpd/restrictions.hpp"

namespace correio::smtpd::access {

std::string whatsup_line(const Facts& facts, std::string_view whatsup, std::string_view text) {
  std::string line =
      fmt::format("{}: {}: {} from {}: {};", facts.queue_id.empty() ? "NOQUEUE" : facts.queue_id,
                  whatsup, facts.where, facts.client_label, text);
  if (facts.has_sender) line += fmt::format(" from=<{}>", facts.sender);
  if (!facts.recipient.empty()) line += fmt::format(" to=<{}>", facts.shown_recipient());
  line += fmt::format(" proto={}", facts.protocol);
  if (!facts.helo.empty()) line += fmt::format(" helo=<{}>", facts.helo);
  return line;
}

std::string Evaluation::subject() const {
  if (nested_subject) return nested_subject->first;
  switch (stage) {
    case Stage::client:
      return fmt::format("{}[{}]", facts.client_name, facts.client_address);
    case Stage::helo:
      return std::string(facts.helo);
    case Stage::sender:
      return std::string(facts.sender);
    case Stage::relay:
    case Stage::recipient:
      return std::string(facts.shown_recipient());
    case Stage::data:
      return "DATA";
    case Stage::end_of_data:
      return "END-OF-MESSAGE";
    case Stage::etrn:
      return std::string(facts.etrn_domain);
  }
  return {};
}

std::string_view Evaluation::subject_class() const {
  if (nested_subject) return nested_subject->second;
  switch (stage) {
    case Stage::client:
      return "Client host";
    case Stage::helo:
      return "Helo command";
    case Stage::sender:
      return "Sender address";
    case Stage::relay:
    case Stage::recipient:
      return "Recipient address";
    case Stage::data:
      return "Data command";
    case Stage::end_of_data:
      return "End-of-data";
    case Stage::etrn:
      return "Etrn command";  // Postfix's SMTPD_NAME_ETRN
  }
  return {};
}

Verdict Evaluation::reject(int code, std::string_view enhanced, std::string text) {
  smtp::Reply r(code, enhanced, text);
  // postconf(5) warn_if_reject: log what would have been rejected, and go on.
  if (warn_if_reject > 0) {
    log("reject_warning", fmt::format("{} {} {}", code, enhanced, text));
    return Verdict::dunno;
  }
  // access(5) DEFER_IF_REJECT: a later 5xx rejection becomes the pending 4xx.
  if (code >= 500 && defer_if_reject) r = *defer_if_reject;
  log("reject", fmt::format("{} {} {}", r.code, r.enhanced, r.lines.front()));
  reply = std::move(r);
  return Verdict::reject;
}

Verdict Evaluation::reject_as(std::string_view subject, std::string_view klass, int code,
                              std::string_view enhanced, std::string_view text) {
  return reject(code, enhanced, fmt::format("<{}>: {} rejected: {}", subject, klass, text));
}

Verdict Evaluation::configuration_error(std::string_view problem) {
  engine.log().warning("{}", problem);
  // Not subject to warn_if_reject: the administrator must see mail stop, not pass.
  reply = smtp::Reply(451, "4.3.5", "Server configuration error");
  log("reject", "451 4.3.5 Server configuration error");
  return Verdict::reject;
}

Verdict Evaluation::lookup_failure(std::string_view subject, std::string_view problem) {
  engine.log().warning("{}", problem);
  reply = smtp::Reply(451, "4.3.0", fmt::format("<{}>: Temporary lookup failure", subject));
  log("reject", fmt::format("451 4.3.0 <{}>: Temporary lookup failure", subject));
  return Verdict::reject;
}

void Evaluation::log(std::string_view whatsup, std::string_view text) const {
  engine.log().info("{}", whatsup_line(facts, whatsup, text));
}

}  // namespace correio::smtpd::access
