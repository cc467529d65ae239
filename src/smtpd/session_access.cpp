// The session's side of the access restrictions (restrictions.hpp): the facts they look
// at, and the connect-time check of smtpd_delay_reject = no, which answers in place of
// the greeting (Postfix's smtpd_proto()).
#include <fmt/format.h>

#include "smtpd/session.hpp"

namespace correio::smtpd {

access::Facts Session::access_facts(std::string_view where) const {
  access::Facts facts;
  facts.client_address = client_address_;
  facts.client_name = client_name_;
  facts.reverse_name = reverse_name_;
  facts.helo = helo_name_;
  facts.sasl_username = sasl_username_;
  facts.sasl_method = sasl_method_;
  if (envelope_) {
    facts.has_sender = true;
    facts.sender = envelope_->sender;
    facts.sasl_sender = envelope_->auth_sender;
    facts.recipient_count = static_cast<int>(envelope_->recipients.size());
    facts.size = where == "END-OF-MESSAGE" ? message_size_ : envelope_->declared_size;
    facts.instance = instance_;
  }
  facts.encryption_protocol = tls_protocol_;
  facts.encryption_cipher = tls_cipher_;
  facts.encryption_keysize = tls_keysize_;
  facts.client_port = conn_.remote_port();
  facts.server_address = server_address_;
  facts.server_port = conn_.local_port();
  facts.pipelined = illegal_pipelining_ || (conn_.has_buffered_input() && !esmtp_);
  facts.where = where;
  facts.client_label = loop_.client_label();
  facts.queue_id = queue_id_;
  facts.protocol = esmtp_ ? "ESMTP" : "SMTP";
  return facts;
}

asio::awaitable<std::optional<smtp::Reply>> Session::access_check(Restrictions::Event event,
                                                                  const access::Facts& facts) {
  co_return co_await services_.restrictions.check(event, facts, effects_);
}

asio::awaitable<bool> Session::greet() {
  if (services_.restrictions.delay_reject()) co_return co_await loop_.greet(settings_.banner);
  access::Facts facts = access_facts("CONNECT");
  std::optional<smtp::Reply> denied = co_await access_check(Restrictions::Event::connect, facts);
  if (!denied) co_return co_await loop_.greet(settings_.banner);
  loop_.deny_access(smtp::Reply(
      503, "5.7.0", fmt::format("Error: access denied for {}[{}]", client_name_, client_address_)));
  Next next = co_await reply(*denied);
  co_return next == Next::proceed;
}

}  // namespace correio::smtpd
