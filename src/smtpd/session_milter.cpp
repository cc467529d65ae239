// smtpd_milters in the SMTP session (Postfix's MILTER_README): the connect, HELO, MAIL,
// RCPT and DATA events as the commands arrive, the macros the session knows, and at the
// end of the message the content with the milters' edits applied before it is queued.
// With milters the content is held in memory (at most message_size_limit) until they
// are done, because their edits can change the envelope, which the queue file starts with.
#include <openssl/ssl.h>

#include "base/strings.hpp"
#include "resolve/address.hpp"
#include "smtpd/session.hpp"

namespace correio::smtpd {
namespace {

// "550 5.7.1 text" or a multi-line "550-5.7.1 a\r\n550 5.7.1 b" as an smtp::Reply.
smtp::Reply reply_of(std::string_view text) {
  smtp::Reply r;
  r.code = text[0] == '4' ? 451 : 550;
  if (auto code = base::parse_int(text.substr(0, 3))) r.code = static_cast<int>(*code);
  r.lines.clear();
  for (auto& line : base::split_any(text, "\n")) {
    std::string_view l = line;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    l = l.size() > 4 ? l.substr(4) : std::string_view();
    // An enhanced code of the reply's class (RFC 3463) is taken from the first line.
    size_t space = l.find(' ');
    std::string_view first = l.substr(0, space);
    bool enhanced = first.size() >= 5 && first[0] == text[0] && first[1] == '.' &&
                    std::count(first.begin(), first.end(), '.') == 2;
    if (enhanced) {
      if (r.enhanced.empty()) r.enhanced = std::string(first);
      l = space == std::string_view::npos ? std::string_view() : l.substr(space + 1);
    }
    r.lines.emplace_back(l);
  }
  if (r.enhanced.empty()) r.enhanced = text[0] == '4' ? "4.7.1" : "5.7.1";
  return r;
}

}  // namespace

std::optional<std::string> Session::milter_macro(std::string_view name) const {
  if (name == "{daemon_addr}") return conn_.local_address();
  if (name == "{daemon_port}") return std::to_string(conn_.local_port());
  if (name == "_") return client_name_ + " [" + conn_.remote_address() + "]";
  if (name == "{client_addr}") return conn_.remote_address();
  if (name == "{client_port}") return std::to_string(conn_.remote_port());
  if (name == "{client_name}") return client_name_;
  if (name == "{client_ptr}") return reverse_name_;
  if (name == "{client_resolve}") return client_name_ == "unknown" ? "FAIL" : "OK";
  if (name == "i") return queue_id_.empty() ? std::nullopt : std::optional(queue_id_);
  if (!sasl_username_.empty()) {
    if (name == "{auth_type}") return sasl_method_;
    if (name == "{auth_authen}") return sasl_username_;
  }
  if (envelope_) {
    if (name == "{mail_addr}") return envelope_->sender;
    if (name == "{mail_host}") return envelope_->sender.substr(envelope_->sender.rfind('@') + 1);
    if (name == "{mail_mailer}") return std::string("smtp");
  }
  if (!milter_recipient_.empty()) {
    if (name == "{rcpt_addr}") return milter_recipient_;
    if (name == "{rcpt_host}") return milter_recipient_.substr(milter_recipient_.rfind('@') + 1);
    if (name == "{rcpt_mailer}") return std::string("smtp");
  }
  SSL* ssl = const_cast<io::Connection&>(conn_).tls_handle();
  if (ssl) {
    if (name == "{tls_version}") return std::string(SSL_get_version(ssl));
    if (name == "{cipher}") return std::string(SSL_get_cipher_name(ssl));
    if (name == "{cipher_bits}") return std::to_string(SSL_get_cipher_bits(ssl, nullptr));
  }
  return std::nullopt;
}

asio::awaitable<void> Session::milter_connect() {
  if (!services_.milters || services_.milters->empty() || settings_.no_milters) co_return;
  milters_ = std::make_unique<milter::Milters>(
      *services_.milters, log_, [this](std::string_view name) { return milter_macro(name); });
  co_await milters_->open();
  std::string address = conn_.remote_address();
  char family = address.find(':') != std::string::npos ? '6' : '4';
  milter::Verdict verdict =
      co_await milters_->connect(client_name_, family, conn_.remote_port(), address);
  // Decision (docs/admin-guide.md "Milters"): a refusal at connect is given to every
  // MAIL FROM of the session, as smtpd_delay_reject does for the client restrictions.
  if (verdict.refused()) milter_connect_refusal_ = reply_of(verdict.reply);
}

asio::awaitable<std::optional<smtp::Reply>> Session::milter_stage(milter::Verdict verdict,
                                                                  std::string_view stage,
                                                                  std::string_view recipient) {
  if (verdict.kind == milter::Verdict::Kind::discard) {
    // As access(5) DISCARD: the transaction goes on and the message is dropped at its end.
    log_.info("{}: milter-discard: {} from {}: milter triggers DISCARD action",
              queue_id_.empty() ? "NOQUEUE" : queue_id_, stage, client_label());
    effects_.discard = true;
    co_return std::nullopt;
  }
  if (!verdict.refused()) co_return std::nullopt;
  smtp::Reply r = reply_of(verdict.reply);
  std::string text = r.lines.empty() ? std::string() : r.lines.front();
  // Postfix's log line: "NOQUEUE: milter-reject: RCPT from ...: 550 5.7.1 text; from=<>...".
  log_.info("{}: milter-reject: {} from {}: {} {} {}; from=<{}> to=<{}> proto={} helo=<{}>",
            queue_id_.empty() ? "NOQUEUE" : queue_id_, stage, client_label(), r.code, r.enhanced,
            text, envelope_ ? envelope_->sender : "", recipient, esmtp_ ? "ESMTP" : "SMTP",
            helo_name_);
  co_await milter_abort();
  co_return r;
}

asio::awaitable<std::optional<smtp::Reply>> Session::milter_helo(std::string_view helo) {
  if (!milters_) co_return std::nullopt;
  milter::Verdict verdict = co_await milters_->helo(helo);
  co_return co_await milter_stage(verdict, "HELO", "");
}

asio::awaitable<std::optional<smtp::Reply>> Session::milter_mail(const std::string& argument) {
  if (!milters_) co_return std::nullopt;
  co_await milter_abort();
  if (milter_connect_refusal_) co_return *milter_connect_refusal_;
  std::vector<std::string> args = milter_arguments(argument);
  milter::Verdict verdict = co_await milters_->mail(args);
  co_return co_await milter_stage(verdict, "MAIL", "");
}

asio::awaitable<std::optional<smtp::Reply>> Session::milter_rcpt(const std::string& argument,
                                                                 const std::string& address) {
  if (!milters_) co_return std::nullopt;
  milter_recipient_ = address;
  std::vector<std::string> args = milter_arguments(argument);
  milter::Verdict verdict = co_await milters_->rcpt(args);
  milter_recipient_.clear();
  co_return co_await milter_stage(verdict, "RCPT", address);
}

asio::awaitable<std::optional<smtp::Reply>> Session::milter_data() {
  if (!milters_) co_return std::nullopt;
  milter::Verdict verdict = co_await milters_->data();
  co_return co_await milter_stage(verdict, "DATA", "");
}

asio::awaitable<void> Session::milter_abort() {
  if (milters_) co_await milters_->abort();
}

asio::awaitable<void> Session::milter_quit() {
  if (milters_) co_await milters_->quit();
  milters_.reset();
}

std::vector<std::string> Session::milter_arguments(const std::string& argument) {
  // SMFIC_MAIL/SMFIC_RCPT: "<address>" then each ESMTP parameter, as Sendmail sends them.
  std::string_view rest = base::trim(argument);
  size_t colon = rest.find(':');
  rest = colon == std::string_view::npos ? rest : base::trim(rest.substr(colon + 1));
  std::vector<std::string> args;
  size_t close = rest.starts_with('<') ? rest.find('>') : rest.find(' ');
  if (close == std::string_view::npos) close = rest.size() - 1;
  args.emplace_back(rest.substr(0, close + 1));
  for (auto& parameter : base::split_any(rest.substr(std::min(close + 1, rest.size())), " "))
    args.push_back(parameter);
  return args;
}

Status Session::write_content(std::string_view content) {
  if (milter_content_) {
    milter_content_->append(content);
    return {};
  }
  return writer_->append(content);
}

asio::awaitable<std::optional<smtp::Reply>> Session::milter_end_of_message() {
  if (!milter_content_) co_return std::nullopt;
  milter::Message message = milter::Message::parse(*milter_content_);
  milter_content_.reset();
  milter::EnvelopeEdits edits;
  std::vector<std::string> before;
  if (services_.milter_checks) before = message.headers;
  milter::Verdict verdict = co_await milters_->end_of_message(message, edits);
  if (verdict.kind == milter::Verdict::Kind::discard) {
    log_.info("{}: milter-discard: END-OF-MESSAGE from {}: milter triggers DISCARD action",
              queue_id_, client_label());
    co_return smtp::Reply(250, "2.0.0", "Ok: queued as " + queue_id_);
  }
  if (verdict.refused()) {
    smtp::Reply r = reply_of(verdict.reply);
    log_.info("{}: milter-reject: END-OF-MESSAGE from {}: {} {} {}; from=<{}> proto={} helo=<{}>",
              queue_id_, client_label(), r.code, r.enhanced, r.lines.empty() ? "" : r.lines[0],
              envelope_->sender, esmtp_ ? "ESMTP" : "SMTP", helo_name_);
    co_return r;
  }
  if (services_.milter_checks)
    if (auto ends = check_milter_headers(before, message)) co_return ends;
  if (auto refusal = apply_envelope_edits(edits)) co_return refusal;
  if (edits.quarantine) {
    // SMFIR_QUARANTINE: Postfix puts the message on hold with the milter's reason.
    log_.info("{}: milter-hold: END-OF-MESSAGE from {}: {}; from=<{}> proto={} helo=<{}>",
              queue_id_, client_label(), *edits.quarantine, envelope_->sender,
              esmtp_ ? "ESMTP" : "SMTP", helo_name_);
    effects_.hold = true;
  }
  if (Status s = writer_->append(message.text()); !s) {
    log_.warning("{}: queue file write error: {}", queue_id_, s.error().message);
    co_return smtp::Reply(452, "4.3.1", "Insufficient system storage");
  }
  co_return std::nullopt;
}

std::optional<smtp::Reply> Session::apply_envelope_edits(const milter::EnvelopeEdits& edits) {
  bool changed = false;
  if (edits.sender) {
    envelope_->sender = *edits.sender;
    envelope_->rewritten_sender = *edits.sender;
    changed = true;
  }
  for (const auto& gone : edits.deleted) {
    auto& list = envelope_->recipients;
    auto match = [&](const Recipient& r) { return base::iequals(r.address, gone); };
    size_t before = list.size();
    list.erase(std::remove_if(list.begin(), list.end(), match), list.end());
    changed = changed || list.size() != before;
  }
  for (const auto& added : edits.added) {
    // Postfix sends a milter's recipients through cleanup's address rewriting too.
    Recipient recipient{added, "", "", {}};
    bool known = false;
    if (auto refusal = rewrite_recipient(recipient, resolve::strip_trailing_dot(added), known))
      return refusal;
    envelope_->recipients.push_back(std::move(recipient));
    changed = true;
  }
  if (envelope_->recipients.empty()) {
    // Every recipient deleted: nothing is left to deliver to. Postfix's cleanup would
    // bounce a message without recipients; a 554 tells the client at once.
    log_.info("{}: milter removed every recipient", queue_id_);
    return smtp::Reply(554, "5.7.1", "Error: no recipients left after milter processing");
  }
  if (!changed) return std::nullopt;
  if (Status s = writer_->replace_envelope(*envelope_); !s) {
    log_.warning("{}: queue file write error: {}", queue_id_, s.error().message);
    return smtp::Reply(452, "4.3.1", "Insufficient system storage");
  }
  return std::nullopt;
}

}  // namespace correio::smtpd
